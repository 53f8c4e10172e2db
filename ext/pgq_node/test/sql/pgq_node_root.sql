-- pgq_node on a root: locations and their events, node creation and its
-- refusals, the info functions, subscribers and their watermarks, the
-- global watermark, cascaded consumers' state, node attributes, the root
-- demoted to a branch step by step and promoted back.
\set VERBOSITY terse

-- what the root's queue carries (cascade events travel in it)
create function rq_events() returns table (ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text) language sql as $$
    select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3
      from pgq.event_template where ev_extra1 = 'rq' order by ev_id $$;
-- locations before the node exists: no events, nothing to send them to
select * from pgq_node.register_location('rq', 'n1', 'dbname=n1', false);
select * from pgq_node.register_location('rq', 'n2', 'dbname=n2', false);
select * from pgq_node.register_location('rq', 'n3', 'dbname=n3', false);
-- a NULL location for an unknown node is ignored
select * from pgq_node.register_location('rq', 'n9', null, false);
select * from pgq_node.get_queue_locations('rq') order by 1;

-- unknown queue everywhere
select * from pgq_node.get_node_info('rq');
select * from pgq_node.get_worker_state('rq');
select * from pgq_node.get_consumer_state('rq', 'w_n1');
select * from pgq_node.register_consumer('rq', 'w_n1', 'n1', 1);
select * from pgq_node.unregister_consumer('rq', 'w_n1');
select * from pgq_node.register_subscriber('rq', 'n2', 'w_n2', null);
select * from pgq_node.set_global_watermark('rq', 1);
select * from pgq_node.set_node_attrs('rq', 'a=1');
select * from pgq_node.demote_root('rq', 1, 'n2');
select * from pgq_node.promote_branch('rq');
select pgq_node.is_root_node('rq');
select pgq_node.is_leaf_node('rq');

-- root: refused with a provider, a watermark or a combined queue
select * from pgq_node.create_node('rq', 'root', 'n1', 'w_n1', 'n2', null, null);
select * from pgq_node.create_node('rq', 'root', 'n1', 'w_n1', null, 5, null);
select * from pgq_node.create_node('rq', 'root', 'n1', 'w_n1', null, null, 'cq');
select * from pgq_node.create_node('rq', 'root', 'n1', 'w_n1', null, null, null);
select * from pgq_node.create_node('rq', 'root', 'n1', 'w_n1', null, null, null);
select pgq_node.is_root_node('rq'), pgq_node.is_leaf_node('rq');
-- pgq.ticker('rq') ticks at every call from here on
select pgq.set_queue_config('rq', 'ticker_max_count', '0');
select pgq.set_queue_config('rq', 'ticker_max_lag', '0');
select queue_name, queue_external_ticker, queue_disable_insert from pgq.queue;
select consumer_name, last_tick from pgq.get_consumer_info('rq') order by 1;
select * from pgq_node.get_node_info('rq');
select * from pgq_node.get_worker_state('rq');
select * from pgq_node.get_consumer_info('rq');

-- on the root, location changes go into the queue
select * from pgq_node.register_location('rq', 'n4', 'host=n4 dbname=x', false);
select * from pgq_node.register_location('rq', 'n4', null, true);      -- tagged dead, location kept
select * from pgq_node.register_location('rq', 'n4', null, false);     -- alive again
select * from pgq_node.get_queue_locations('rq') order by 1;
select * from pgq_node.unregister_location('rq', 'n4');
select * from pgq_node.unregister_location('rq', 'n4');                -- 301
select * from pgq_node.unregister_location('rq', 'n1');                -- own: 403
select * from rq_events();

-- subscribers: n2 reads from here (ticks 2 and 3 exist, each after an event)
select pgq.insert_event('rq', 'ev', '1') > 0 as inserted;
select pgq.ticker('rq');
select pgq.insert_event('rq', 'ev', '2') > 0 as inserted;
select pgq.ticker('rq');
select * from pgq_node.register_subscriber('rq', 'n2', 'w_n2', null);
select consumer_name, last_tick from pgq.get_consumer_info('rq') order by 1;
select * from pgq_node.get_subscriber_info('rq');
-- at a custom tick that does not exist
select * from pgq_node.register_subscriber('rq', 'n3', 'w_n3', 999);
-- the same node twice
select * from pgq_node.register_subscriber('rq', 'n2', 'w_n2', null);
select * from pgq_node.register_subscriber('rq', 'n3', 'w_n3', 2);
select * from pgq_node.get_subscriber_info('rq');

-- subscriber watermarks: forward only
select * from pgq_node.set_subscriber_watermark('rq', 'n2', 1);   -- already
select * from pgq_node.set_subscriber_watermark('rq', 'n2', 2);
select * from pgq_node.set_subscriber_watermark('rq', 'n2', 1);   -- backwards
select * from pgq_node.set_subscriber_watermark('rq', 'n2', 99);  -- no such tick
select * from pgq_node.set_subscriber_watermark('rq', 'nx', 2);   -- not subscribed
select * from pgq_node.get_subscriber_info('rq');

-- the local watermark is the lowest position of every consumer but
-- .global_watermark (n3's watermark at 1 holds it); NULL asks the root
-- to publish it as the global watermark
select global_watermark, local_watermark from pgq_node.get_node_info('rq');
select * from pgq_node.set_global_watermark('rq', null);
select * from pgq_node.set_subscriber_watermark('rq', 'n3', 2);
-- the worker w_n2 (at 1) holds it too, until it moves on
select global_watermark, local_watermark from pgq_node.get_node_info('rq');
select pgq.register_consumer_at('rq', 'w_n2', 3);
select global_watermark, local_watermark from pgq_node.get_node_info('rq');
select * from pgq_node.set_global_watermark('rq', null);
select global_watermark, local_watermark, worker_last_tick from pgq_node.get_node_info('rq');
select completed_tick from pgq_node.get_consumer_state('rq', 'w_n1');
select ev_type, ev_data, ev_extra1 from rq_events() where ev_type = 'pgq.global-watermark';
-- an explicit value
select * from pgq_node.set_global_watermark('rq', 1);
select global_watermark from pgq_node.get_node_info('rq');

-- unsubscribing
select * from pgq_node.unregister_subscriber('rq', 'n3');
select * from pgq_node.unregister_subscriber('rq', 'n3');
select consumer_name from pgq.get_consumer_info('rq') order by 1;

-- cascaded consumers writing into this node
select * from pgq_node.register_consumer('rq', 'c1', 'n2', 2);
select * from pgq_node.register_consumer('rq', 'c1', 'n1', 1);       -- again: moves it
select * from pgq_node.get_consumer_state('rq', 'c1');
select * from pgq_node.get_consumer_state('rq', 'nobody');
-- resuming a consumer that is not paused is refused (201)
select * from pgq_node.set_consumer_paused('rq', 'c1', false);
select * from pgq_node.set_consumer_paused('rq', 'c1', true);
select * from pgq_node.set_consumer_paused('rq', 'c1', true);
select paused, uptodate from pgq_node.get_consumer_state('rq', 'c1');
select * from pgq_node.set_consumer_uptodate('rq', 'c1', true);
select * from pgq_node.set_consumer_paused('rq', 'c1', false);
select * from pgq_node.set_consumer_paused('rq', 'nobody', false);
select * from pgq_node.set_consumer_uptodate('rq', 'nobody', true);
select * from pgq_node.change_consumer_provider('rq', 'c1', 'nx');
select * from pgq_node.change_consumer_provider('rq', 'nobody', 'n2');
select * from pgq_node.change_consumer_provider('rq', 'c1', 'n2');
select provider_node, provider_location, uptodate from pgq_node.get_consumer_state('rq', 'c1');
select * from pgq_node.set_consumer_error('rq', 'c1', 'boom: it broke');
select * from pgq_node.set_consumer_error('rq', 'nobody', 'x');
select cur_error from pgq_node.get_consumer_state('rq', 'c1');
select * from pgq_node.set_consumer_completed('rq', 'c1', 2);
select * from pgq_node.set_consumer_completed('rq', 'nobody', 2);
select * from pgq_node.get_consumer_info('rq');
select * from pgq_node.unregister_consumer('rq', 'c1');
select * from pgq_node.unregister_consumer('rq', 'c1');

-- attributes
select * from pgq_node.set_node_attrs('rq', 'sync_watermark=n2');
select node_attrs from pgq_node.get_node_info('rq');

-- pgqd's maintenance publishes a global watermark older than 5 minutes
select * from pgq.maint_operations() where func_name like 'pgq_node%';
select pgq_node.maint_watermark('rq');
select count(*) from rq_events() where ev_type = 'pgq.global-watermark';
update pgq.tick set tick_time = now() - '10 minutes'::interval;
select pgq_node.maint_watermark('rq');
select count(*) from rq_events() where ev_type = 'pgq.global-watermark';
select pgq_node.maint_watermark('nosuch');

-- demote: step order is enforced
select * from pgq_node.demote_root('rq', 2, 'n2');
select * from pgq_node.demote_root('rq', 1, 'n2');
select * from pgq_node.demote_root('rq', 1, 'n2');                  -- again: fine
select queue_external_ticker, queue_disable_insert from pgq.queue where queue_name = 'rq';
select pgq.insert_event('rq', 'x', 'refused');
select pgq.ticker('rq');
select * from pgq_node.demote_root('rq', 7, 'n2');
select max(tick_id) as top_before from pgq.tick \gset
select ret_code, ret_note, last_tick = :top_before + 1 as next_tick
  from pgq_node.demote_root('rq', 2, 'n2');
select * from pgq_node.demote_root('rq', 3, 'n2');
select node_type, provider_node, worker_last_tick = :top_before + 1 as at_last_tick,
       worker_uptodate
  from pgq_node.get_node_info('rq');
select * from pgq_node.demote_root('rq', 1, 'n2');                  -- not root now
select pgq_node.is_root_node('rq');

-- promote back
select * from pgq_node.promote_branch('rq');
select * from pgq_node.promote_branch('rq');                         -- 301
select queue_external_ticker, queue_disable_insert from pgq.queue where queue_name = 'rq';
select node_type, provider_node, worker_last_tick = :top_before + 1 as at_top
  from pgq_node.get_node_info('rq');
-- ticks go on after the top one; producers are back
select pgq.insert_event('rq', 'x', 'accepted') > 0 as inserted;
select pgq.ticker('rq') > :top_before + 1 as ticks_go_on;

-- dropping: the provider is refused, another node goes, then the node
select * from pgq_node.drop_node('rq', 'n2');
select * from pgq_node.get_subscriber_info('rq');
select * from pgq_node.get_queue_locations('rq') order by 1;
select * from pgq_node.drop_node('rq', 'n1');
select * from pgq_node.get_node_info('rq');
select * from pgq_node.get_queue_locations('rq') order by 1;
select count(*) from pgq.queue where queue_name = 'rq';
-- leftovers of nothing: still 200
select * from pgq_node.drop_node('rq', 'n1');
