-- pgq_node on a branch and on leaves, in one database (each cascaded
-- queue has its own node here): the branch's queue follows its
-- provider's ticks; the leaf has no queue; a merge leaf feeds a combined
-- queue; the refusals of each type.
\set VERBOSITY terse

-- branch of 'bq', provider r1 (somewhere else)
select * from pgq_node.register_location('bq', 'b1', 'dbname=b1', false);
select * from pgq_node.register_location('bq', 'r1', 'dbname=r1', false);
select * from pgq_node.register_location('bq', 'l9', 'dbname=l9', false);
select * from pgq_node.create_node('bq', 'branch', 'b1', 'w_b1', null, 5, null);
select * from pgq_node.create_node('bq', 'branch', 'b1', 'w_b1', 'r1', null, null);
select * from pgq_node.create_node('bq', 'branch', 'b1', 'w_b1', 'r1', 5, null);
select queue_name, queue_external_ticker, queue_disable_insert from pgq.queue
 where queue_name = 'bq';
select tick_id from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
 where queue_name = 'bq' order by 1;
select * from pgq_node.get_node_info('bq');
select * from pgq_node.get_worker_state('bq');
select pgq_node.is_root_node('bq'), pgq_node.is_leaf_node('bq');

-- producers are refused on a branch; the worker copies the provider's
-- ticks in with their ids (the 4-argument ticker)
select pgq.insert_event('bq', 'x', 'refused');
select pgq.ticker('bq', 6, now(), 10);
select pgq.ticker('bq', 7, now(), 20);
select * from pgq_node.set_consumer_completed('bq', 'w_b1', 7);
select worker_last_tick, local_watermark, global_watermark from pgq_node.get_node_info('bq');

-- the root's global watermark arrives: applied only when the tick is here
select * from pgq_node.set_global_watermark('bq', null);
select * from pgq_node.set_global_watermark('bq', 3);
select * from pgq_node.set_global_watermark('bq', 6);
select global_watermark from pgq_node.get_node_info('bq');

-- a branch can be a provider
select * from pgq_node.register_subscriber('bq', 'l9', 'w_l9', null);
select * from pgq_node.get_subscriber_info('bq');

-- the location of the provider cannot be dropped, nor the provider node
select * from pgq_node.unregister_location('bq', 'r1');
select * from pgq_node.drop_node('bq', 'r1');
-- the branch's own worker moves to another provider
select * from pgq_node.register_location('bq', 'r2', 'dbname=r2', false);
select * from pgq_node.change_consumer_provider('bq', 'w_b1', 'r2');
select provider_node, provider_location from pgq_node.get_node_info('bq');
select * from pgq_node.unregister_location('bq', 'r1');
-- a subscriber's location goes with its subscription
select * from pgq_node.unregister_location('bq', 'l9');
select * from pgq_node.get_subscriber_info('bq');
select consumer_name from pgq.get_consumer_info('bq') order by 1;

-- leaf of 'lq': no queue
select * from pgq_node.register_location('lq', 'l1', 'dbname=l1', false);
select * from pgq_node.register_location('lq', 'r1', 'dbname=r1', false);
select * from pgq_node.create_node('lq', 'leaf', 'l1', 'w_l1', 'r1', 3, 'nosuchq');
select * from pgq_node.create_node('lq', 'leaf', 'l1', 'w_l1', 'r1', 3, null);
select count(*) from pgq.queue where queue_name = 'lq';
select * from pgq_node.get_node_info('lq');
select * from pgq_node.get_worker_state('lq');
select pgq_node.is_root_node('lq'), pgq_node.is_leaf_node('lq');
select * from pgq_node.register_subscriber('lq', 'r1', 'w_r1', null);
select * from pgq_node.set_global_watermark('lq', 3);
select * from pgq_node.demote_root('lq', 1, 'r1');
select * from pgq_node.promote_branch('lq');
select * from pgq_node.set_consumer_completed('lq', 'w_l1', 8);
select worker_last_tick, local_watermark from pgq_node.get_node_info('lq');

-- merge leaf of partition 'pq', feeding the combined queue 'bq' (a branch
-- here: its partition position is set from the combined queue)
select * from pgq_node.register_location('pq', 'p1', 'dbname=p1', false);
select * from pgq_node.register_location('pq', 'pr', 'dbname=pr', false);
select * from pgq_node.create_node('pq', 'leaf', 'p1', 'w_p1', 'pr', 4, 'bq');
select node_type, combined_queue, combined_type from pgq_node.get_node_info('pq');
select node_type, combined_queue, combined_type from pgq_node.get_worker_state('pq');
select target_for from pgq_node.get_node_info('bq');
select * from pgq_node.set_partition_watermark('bq', 'pq', 6);
select completed_tick from pgq_node.get_consumer_state('pq', 'w_p1');
select * from pgq_node.set_partition_watermark('bq', 'nosuch', 6);
select * from pgq_node.set_partition_watermark('lq', 'pq', 6);
select * from pgq_node.unregister_consumer('pq', 'w_p1');
select * from pgq_node.set_partition_watermark('bq', 'pq', 6);
select * from pgq_node.get_worker_state('pq');

-- bad type, NULLs, odd names
select * from pgq_node.register_location('oq', 'o1', 'dbname=o1', false);
select * from pgq_node.create_node('oq', 'root', 'nolocation', 'w', null, null, null);
select * from pgq_node.register_location(null, 'o1', 'x', false);
select * from pgq_node.register_location('oq', null, 'x', false);
select * from pgq_node.register_location('oq', 'o2', 'x', null);
select * from pgq_node.register_location('we"ird q''ueue', 'no de ''1"', 'host=h password=pa''ss word', false);
select * from pgq_node.create_node('we"ird q''ueue', 'root', 'no de ''1"', 'w o"r''k', null, null, null);
select node_name, worker_name, provider_node from pgq_node.get_node_info('we"ird q''ueue');
select * from pgq_node.register_location('we"ird q''ueue', 'n;2', 'dbname=n2', false);
select * from pgq_node.register_subscriber('we"ird q''ueue', 'n;2', 'w;2', null);
select * from pgq_node.get_subscriber_info('we"ird q''ueue');
select ev_type, ev_data, ev_extra1 from pgq.event_template
 where ev_extra1 = 'we"ird q''ueue' order by ev_id;
select * from pgq_node.drop_node('we"ird q''ueue', 'no de ''1"');
select count(*) from pgq.queue where queue_name = 'we"ird q''ueue';
