# qadmin at a terminal: the real program in tmux, keys typed, the screen
# read.  Completion of commands, show's words, queue, consumer and table
# names (read from the database) and key= words with their values; a
# command over two lines; Ctrl-C clears what is typed; Ctrl-D quits;
# history kept in ~/.qadmin_history across two runs.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SkyTools::Wait;
use Test::More;
use Time::HiRes;

plan skip_all => 'tmux is not installed' unless system('tmux -V >/dev/null 2>&1') == 0;

my $node = PostgreSQL::Test::Cluster->new('qadmin_tty');
$node->init;
$node->start;
$node->safe_psql('postgres', 'create database regression');
$node->safe_psql('regression', q{
	create extension pgq;
	select pgq.create_queue('q1');
	select pgq.create_queue('other');
	select pgq.register_consumer('q1', 'c1');
	create table public.t1 (id int primary key);
});
my $home = PostgreSQL::Test::Utils::tempdir;
my @tmux = ('tmux', '-L', "qadmin_test_$$", '-f', '/dev/null');
my $cmd = 'env HOME=' . $home . ' qadmin -h ' . $node->host . ' -p ' . $node->port . ' regression';

sub tmux { system(@tmux, @_) == 0 or die "tmux @_ failed" }
sub dead { my $d = `@tmux list-panes -t qa -F '#{pane_dead}'`; return ($d // '') =~ /^1/; }
sub screen { my $s = `@tmux capture-pane -p -N -t qa`; return $s // ''; }
# (a ';' at the end of an argument would end tmux's own command)
sub type_keys { tmux('send-keys', '-t', 'qa', map { (my $k = $_) =~ s/;$/\\;/; $k } @_) }
sub see
{
	my ($re, $what) = @_;
	my $ok = wait_until($what, sub { screen() =~ $re });
	ok($ok, $what) or diag("screen:\n" . screen());
}
# the condition within a second (for a key that may need sending again)
sub wait_until_short
{
	my ($cond) = @_;
	for (1 .. 10) { return 1 if $cond->(); Time::HiRes::usleep(100_000); }
	return 0;
}

# Ctrl-D until the program is gone: a key typed in the instant between
# the prompt and the editor's taking the terminal may be dropped (a
# person is never that fast)
sub quit
{
	return wait_until('quit', sub {
		type_keys('C-d');
		return wait_until_short(sub { dead() });
	});
}

sub start
{
	tmux('new-session', '-d', '-s', 'qa', '-x', '150', '-y', '40', $cmd);
	tmux('set-option', '-t', 'qa', 'remain-on-exit', 'on');
}
END { system(@tmux, 'kill-server') if @tmux; }

start();
see(qr/Type "show help;" for help\.\n\(noqueue\)\@regression> $/m, 'banner and prompt');

type_keys('sho', 'Tab');
see(qr/regression> show $/m, 'a command completed (with its blank)');
type_keys('Tab', 'Tab');
see(qr/batch.*consumer.*help.*node.*queue.*sequence.*table.*version/s, "show's words listed");
type_keys('C-c');
see(qr/regression> show \n\(noqueue\)\@regression> $/m, 'Ctrl-C: a fresh line');

type_keys('show queue q', 'Tab');
see(qr/regression> show queue q1 $/m, 'a queue name from the database');
type_keys('C-c');
type_keys('show consumer c', 'Tab');
see(qr/regression> show consumer c1 $/m, 'a consumer name');
type_keys('C-c');
type_keys('show table public.t', 'Tab');
see(qr/regression> show table public\.t1 $/m, 'a table name, dotted');
type_keys('C-c');
type_keys('connect db', 'Tab');
see(qr/regression> connect dbname=$/m, 'a key= word (no blank after it)');
type_keys('reg');
see(qr/regression> connect dbname=reg$/m, 'typed');
type_keys('Tab');
see(qr/regression> connect dbname=regression $/m, 'and its value from the database');
type_keys('C-c');

# Ctrl-C drops what was typed: the next command runs alone
type_keys('show ver');
see(qr/regression> show ver$/m, 'typed');
type_keys('C-c');
see(qr/regression> show ver\n\(noqueue\)\@regression> $/m, 'Ctrl-C: a fresh prompt');
type_keys('select 42 as answer;', 'Enter');
see(qr/^answer\s*\n-+\s*\n42\s*$/m, 'Ctrl-C cleared the line: the next command ran alone');
unlike(screen(), qr/show verselect/, 'nothing of the cleared line left');

# a command over two lines, ended by ';'
type_keys('select 1', 'Enter');
see(qr/regression-> $/m, 'a continuation prompt');
type_keys('+ 1 as two;', 'Enter');
see(qr/^two\s*\n-+\s*\n2\s*$/m, 'the two lines ran as one command');

# Ctrl-D quits
ok(quit(), 'Ctrl-D quits');
ok(-s "$home/.qadmin_history", 'history written to ~/.qadmin_history');
tmux('kill-session', '-t', 'qa');

# the second run has the first one's history
start();
see(qr/regression> $/m, 'second run');
type_keys('Up');
see(qr/regression> select 1 \+ 1 as two;$/m, 'Up brings back the last command of the first run');
type_keys('C-c');
see(qr/two;\n\(noqueue\)\@regression> $/m, 'Ctrl-C');
ok(quit(), 'quit again') or diag("screen:\n" . screen());

done_testing();
