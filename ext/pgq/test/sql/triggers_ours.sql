-- Row-capture trigger behaviour beyond upstream's, so not in the corpus
-- compared with upstream: expressions may name columns in double quotes
-- (upstream: 'QB: syntax error') and in any case when no column has the
-- exact spelling (upstream leaves those to the parser, which fails).
\set VERBOSITY terse
set client_min_messages = warning;
select pgq.create_queue('trg2') as created;
create table qt (id int primary key, "Mixed" text, low text);
create trigger tx after insert on qt
    for each row execute procedure pgq.logutriga('trg2',
        'ev_extra1="Mixed" || ''/'' || LOW', 'ev_extra2=Mixed', 'ev_extra3="low"');
insert into qt values (1, 'M', 'l');
create trigger ty after insert on qt
    for each row execute procedure pgq.logutriga('trg2', 'ev_extra1="unterminated');
insert into qt values (2, 'M', 'l');
drop trigger ty on qt;
select queue_data_pfx as tbl from pgq.queue where queue_name = 'trg2' \gset
select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3 from :tbl order by ev_id;

-- A key changed by an UPDATE: refused (as upstream) unless 'backup' sends
-- the old row along, which then carries the old key
select pgq.create_queue('trg3') as created;
create table kt (id int primary key, v text);
create trigger tk after insert or update on kt
    for each row execute procedure pgq.logutriga('trg3');
insert into kt values (1, 'a');
update kt set id = 2 where id = 1;
drop trigger tk on kt;
create trigger tk after insert or update on kt
    for each row execute procedure pgq.logutriga('trg3', 'backup');
update kt set id = 2 where id = 1;
select queue_data_pfx as tbl from pgq.queue where queue_name = 'trg3' \gset
select ev_type, ev_data, ev_extra2 from :tbl order by ev_id;
