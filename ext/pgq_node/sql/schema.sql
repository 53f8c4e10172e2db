-- ----------------------------------------------------------------------
-- schema.sql
--     The four tables of a cascaded queue's node.  node_attrs is added by
--     upgrade_schema(), which the script runs next, as on databases from
--     before it existed.
-- ----------------------------------------------------------------------
set client_min_messages = warning;

create schema pgq_node;

-- Every member of the cascade, with its connect string: the one table
-- that is the same on all nodes (root events spread it).
create table pgq_node.node_location (
    queue_name      text not null,
    node_name       text not null,
    node_location   text not null,
    dead            boolean not null default false,
    primary key (queue_name, node_name)
);

-- This database's node, one row per cascaded queue.
create table pgq_node.node_info (
    queue_name      text not null primary key,
    node_type       text not null
        check (node_type in ('root', 'branch', 'leaf')),
    node_name       text not null,
    worker_name     text,
    combined_queue  text,
    foreign key (queue_name, node_name)
        references pgq_node.node_location,
    check (case when node_type = 'root'
                    then worker_name is not null and combined_queue is null
                when node_type = 'branch'
                    then worker_name is not null and combined_queue is null
                when node_type = 'leaf'
                    then worker_name is not null
                else false end)
);

-- The cascaded consumers that write into this node: where they read from,
-- the last tick they committed here, and the admin's remote control.
create table pgq_node.local_state (
    queue_name      text not null,
    consumer_name   text not null,
    provider_node   text not null,
    last_tick_id    bigint not null,
    cur_error       text,
    paused          boolean not null default false,
    uptodate        boolean not null default false,
    primary key (queue_name, consumer_name),
    foreign key (queue_name)
        references pgq_node.node_info,
    foreign key (queue_name, provider_node)
        references pgq_node.node_location
);

-- The nodes that read from this one, with the pgq consumers that hold
-- their position (worker) and their reported subtree minimum (watermark).
create table pgq_node.subscriber_info (
    queue_name      text not null,
    subscriber_node text not null,
    worker_name     text not null,
    watermark_name  text not null,
    primary key (queue_name, subscriber_node),
    foreign key (queue_name)
        references pgq_node.node_info,
    foreign key (queue_name, subscriber_node)
        references pgq_node.node_location,
    foreign key (worker_name)
        references pgq.consumer (co_name),
    foreign key (watermark_name)
        references pgq.consumer (co_name)
);
