-- Where ours differs from upstream on purpose.
\set VERBOSITY terse

-- an unknown node type is a 401 with a note (upstream fails the CHECK
-- constraint with an SQL error)
select * from pgq_node.register_location('tq', 't1', 'dbname=t1', false);
select * from pgq_node.create_node('tq', 'trunk', 't1', 'w', null, null, null);
select * from pgq_node.create_node('tq', null, 't1', 'w', null, null, null);
select count(*) from pgq_node.node_info where queue_name = 'tq';

-- SECURITY DEFINER functions ignore the caller's search_path: a caller
-- cannot plant objects they would find.  create_node of a branch calls
-- now() for the branch's first tick.
select * from pgq_node.register_location('tq', 'tp', 'dbname=tp', false);
create schema evil;
create function evil.now() returns timestamptz language sql as $$ select '2000-01-01'::timestamptz $$;
set search_path = evil, pg_catalog, public;
select now() < '2001-01-01' as unpinned_code_is_fooled;
select * from pgq_node.create_node('tq', 'branch', 't1', 'w', 'tp', 5, null);
reset search_path;
select tick_id, tick_time > '2001-01-01' as real_time from pgq.tick t join pgq.queue q
  on q.queue_id = t.tick_queue where q.queue_name = 'tq' order by 1;
drop schema evil cascade;

-- a connect string with a password is data: returned to those who read
-- locations, never part of a note
select count(*) as notes, count(*) filter (where note like '%s3cret%') as with_password
  from (select (pgq_node.register_location('tq', 't2', 'host=h password=s3cret', false)).ret_note as note
        union all
        select (pgq_node.register_location('tq', 't2', 'host=h2 password=s3cret', true)).ret_note
        union all
        select (pgq_node.create_node('tq', 'leaf', 't2', 'w', 't1', 1, null)).ret_note
        union all
        select (pgq_node.unregister_location('tq', 't2')).ret_note
        union all
        select (pgq_node.drop_node('tq', 't2')).ret_note) x;
select node_location from pgq_node.get_queue_locations('tq') where node_name = 't2';
select * from pgq_node.drop_node('tq', 't1');
