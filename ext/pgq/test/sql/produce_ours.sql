-- The insert path keeps the queue row it read for the rest of the
-- transaction and writes events straight into a plain event table.  What
-- that must not change: a change of the queue row is seen at once (also
-- inside the same transaction), a table that is not plain (a trigger, an
-- extra column) gets its events through SQL, privileges are checked.
\set VERBOSITY terse
select pgq.create_queue('cache_q');
select queue_id as qid from pgq.queue where queue_name = 'cache_q' \gset

-- disabling inserts in the middle of a transaction takes effect at once
begin;
select pgq.insert_event('cache_q', 'a', '1') > 0 as inserted;
update pgq.queue set queue_disable_insert = true where queue_name = 'cache_q';
select pgq.insert_event('cache_q', 'b', '2');
rollback;

-- a switch of the current table (as rotation does) is followed at once
begin;
select pgq.insert_event('cache_q', 'c', 'into 0') > 0 as inserted;
update pgq.queue set queue_cur_table = 1 where queue_name = 'cache_q';
select pgq.insert_event('cache_q', 'c', 'into 1') > 0 as inserted;
select tableoid::regclass::text = 'pgq.event_' || :qid || '_' || right(ev_data, 1) as right_table,
       ev_data
  from pgq.event_template where ev_type = 'c' order by ev_id;
rollback;

-- the per-transaction limit is read with the row, and counted
begin;
update pgq.queue set queue_per_tx_limit = 2 where queue_name = 'cache_q';
select pgq.insert_event('cache_q', 'l', i::text) > 0 from generate_series(1, 2) i;
select pgq.insert_event('cache_q', 'l', '3');
rollback;

-- a trigger on the event table: events go through SQL and the trigger runs
create function stamp() returns trigger language plpgsql as $$
begin
    new.ev_extra4 := 'stamped';
    return new;
end $$;
select pgq.insert_event('cache_q', 'before', 'x') > 0 as inserted;
do $$ begin execute format('create trigger stamp before insert on pgq.event_%s_0 for each row execute function stamp()', (select queue_id from pgq.queue where queue_name = 'cache_q')); end $$;
select pgq.insert_event('cache_q', 'after', 'x') > 0 as inserted;
do $$ begin execute format('drop trigger stamp on pgq.event_%s_0', (select queue_id from pgq.queue where queue_name = 'cache_q')); end $$;
select pgq.insert_event('cache_q', 'again', 'x') > 0 as inserted;
select ev_type, ev_extra4 from pgq.event_template
 where ev_type in ('before', 'after', 'again') and ev_extra1 is null
   and tableoid::regclass::text like 'pgq.event\_' || :qid || '\_%' order by ev_id;

-- an extra column with a default: SQL fills it
do $$ begin execute format('alter table pgq.event_%s_0 add column note text default %L', (select queue_id from pgq.queue where queue_name = 'cache_q'), 'dflt'); end $$;
select pgq.insert_event('cache_q', 'extra', 'x') > 0 as inserted;
create function note_of(t text) returns text language plpgsql as $f$
declare r text;
begin
    execute format('select note from pgq.event_%s_0 where ev_type = %L',
                   (select queue_id from pgq.queue where queue_name = 'cache_q'), t) into r;
    return r;
end $f$;
select note_of('extra');
do $$ begin execute format('alter table pgq.event_%s_0 drop column note', (select queue_id from pgq.queue where queue_name = 'cache_q')); end $$;

-- an index made on the event table after events went in gets the next
-- ones too (the direct path keeps the table's index list until it changes)
select pgq.insert_event('cache_q', 'pre_idx', 'x') > 0 as inserted;
do $$ begin execute format('create index on pgq.event_%s_0 (ev_type)', (select queue_id from pgq.queue where queue_name = 'cache_q')); end $$;
select pgq.insert_event('cache_q', 'post_idx', 'x') > 0 as inserted;
create function by_type(t text) returns bigint language plpgsql as $f$
declare r bigint;
begin
    set local enable_seqscan = off;
    set local enable_bitmapscan = off;
    execute format('select count(*) from pgq.event_%s_0 where ev_type = %L',
                   (select queue_id from pgq.queue where queue_name = 'cache_q'), t) into r;
    return r;
end $f$;
select by_type('pre_idx') as pre, by_type('post_idx') as post;

-- the raw insert runs with the caller's rights on the event table
create role produce_ours_user login;
grant execute on function pgq.insert_event_raw(text, bigint, timestamptz,
    int4, int4, text, text, text, text, text, text) to produce_ours_user;
set role produce_ours_user;
do $$ begin
    perform pgq.insert_event_raw('cache_q', null, null, null, null, 'raw', 'x', null, null, null, null);
exception when insufficient_privilege then
    raise notice 'refused: %', regexp_replace(sqlerrm, '[0-9]+', 'N', 'g');
end $$;
reset role;
do $$ begin execute format('grant usage on sequence pgq.event_%s_id_seq to produce_ours_user', (select queue_id from pgq.queue where queue_name = 'cache_q')); end $$;
set role produce_ours_user;
do $$ begin
    perform pgq.insert_event_raw('cache_q', null, null, null, null, 'raw', 'x', null, null, null, null);
exception when insufficient_privilege then
    raise notice 'refused: %', regexp_replace(sqlerrm, '[0-9]+', 'N', 'g');
end $$;
reset role;
do $$ begin execute format('revoke usage on sequence pgq.event_%s_id_seq from produce_ours_user', (select queue_id from pgq.queue where queue_name = 'cache_q')); end $$;
select pgq.insert_event_raw('cache_q', null, null, null, null, 'raw', 'x', null, null, null, null) > 0 as inserted;
revoke all on function pgq.insert_event_raw(text, bigint, timestamptz,
    int4, int4, text, text, text, text, text, text) from produce_ours_user;
drop role produce_ours_user;

-- the events carry the transaction id and the index on it is kept
begin;
select pgq.insert_event('cache_q', 'txid', 'x') > 0 as inserted;
select ev_txid = txid_current() as own_txid from pgq.event_template where ev_type = 'txid';
set local enable_seqscan = off;
select count(*) from pgq.event_template where ev_txid = txid_current();
rollback;
select pgq.drop_queue('cache_q', true);
