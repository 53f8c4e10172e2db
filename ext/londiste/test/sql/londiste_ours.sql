-- Where ours differs from upstream on purpose.
\set VERBOSITY terse
set client_min_messages = warning;
create extension if not exists londiste cascade;
reset client_min_messages;

-- the one SECURITY DEFINER function cannot be led astray by the caller's
-- search_path: it pins its own
select proconfig from pg_proc where oid = 'londiste.set_session_replication_role'::regproc;

-- Partition queues merged into one table (fan-in): two leaf queues whose
-- combined queue is a branch on this database.  Upstream's rules are
-- followed as far as they could be observed; the copy roles are ours.
select * from pgq_node.register_location('comb', 'croot', 'dbname=croot', false);
select * from pgq_node.register_location('comb', 'cnode', 'dbname=cnode', false);
select * from pgq_node.create_node('comb', 'branch', 'cnode', 'cnode_worker', 'croot', 1, null);
select * from pgq_node.register_location('part1', 'p1root', 'dbname=p1root', false);
select * from pgq_node.register_location('part1', 'cnode', 'dbname=cnode', false);
select * from pgq_node.create_node('part1', 'leaf', 'cnode', 'p1_worker', 'p1root', 1, 'comb');
select * from pgq_node.register_location('part2', 'p2root', 'dbname=p2root', false);
select * from pgq_node.register_location('part2', 'cnode', 'dbname=cnode', false);
select * from pgq_node.create_node('part2', 'leaf', 'cnode', 'p2_worker', 'p2root', 1, 'comb');

create table mt (id int primary key, v text);
select * from londiste.global_add_table('part1', 'public.mt');
select * from londiste.global_add_table('part2', 'public.mt');
select queue_name, table_name, local from londiste.table_info order by 1, 2;
-- both partitions carry it: say merge-all (or no-merge)
select * from londiste.local_add_table('part1', 'mt');
update londiste.table_info set local = false, merge_state = null where table_name = 'public.mt';
select * from londiste.local_add_table('part1', 'mt', array['merge_all']);
select queue_name, table_name, local, merge_state from londiste.table_info order by 1, 2;
select tgrelid::regclass, tgname from pg_trigger where tgrelid = 'mt'::regclass order by 2;

-- copy roles: the first queue by name leads; once it holds the dropped
-- DDL the others copy and wait for it to be restored
update londiste.table_info set merge_state = 'in-copy' where queue_name in ('part1', 'part2');
select queue_name, (londiste._coordinate_copy(queue_name, table_name)).*
  from londiste.table_info where queue_name in ('part1', 'part2') order by 1;
select * from londiste.local_set_table_struct('part1', 'public.mt', 'alter table public.mt add primary key (id);');
select queue_name, (londiste._coordinate_copy(queue_name, table_name)).*
  from londiste.table_info where queue_name in ('part1', 'part2') order by 1;
select table_name, merge_state, copy_role, copy_pos from londiste.get_table_list('part2');
-- a queue without a combined queue has no partner
select * from londiste._coordinate_copy('comb', 'public.mt');

-- Partitioned (declarative) tables are tables here (upstream sees only
-- relkind r): found, listed as missing (their partitions not), created
-- PARTITION OF by create_partition, and their trigger names the table
select * from pgq_node.register_location('dq', 'droot', 'dbname=droot', false);
select * from pgq_node.create_node('dq', 'root', 'droot', 'droot_worker', null, null, null);
-- partitions (declarative): a partitioned table is a table; its partitions
-- are made PARTITION OF it; it is missing, its partitions are not
create table decl_p (id int, at timestamptz, v text, primary key (id, at)) partition by range (at);
select londiste.find_table_oid('public.decl_p') = 'public.decl_p'::regclass;
select londiste.create_partition('public.decl_p', 'public.decl_p_2024_03_04', 'id', 'at', '2024-03-04 10:00+00', 'day');
select londiste.create_partition('public.decl_p', 'public.decl_p_2024_03_04', 'id', 'at', '2024-03-04 23:00+00', 'day');
select londiste.create_partition('public.decl_p', 'public.decl_p_2024_04', 'id', 'at', '2024-04-30 10:00+00', 'month');
select c.relname, pg_get_expr(c.relpartbound, c.oid) from pg_inherits i join pg_class c on c.oid = i.inhrelid
 where i.inhparent = 'decl_p'::regclass order by 1;
insert into decl_p values (1, '2024-03-04 12:00+00', 'a'), (2, '2024-04-02 00:00+00', 'b');
select tableoid::regclass, id from decl_p order by id;
select * from londiste.list_obsolete_partitions('public.decl_p', '1 day', 'day');
select * from londiste.local_show_missing('dq') where obj_name like 'public.decl_p%';
select * from londiste.local_add_table('dq', 'public.decl_p');
select tgrelid::regclass, tgname, encode(tgargs, 'escape') from pg_trigger where tgname like '_londiste_dq%' and tgrelid::regclass::text like 'decl_p%' order by 1, 2;

