-- ----------------------------------------------------------------------
-- schema.sql
--     The four tracking tables.  subconsumer_id gets its default from
--     upgrade_schema(), which the script runs next: on a fresh install
--     that is its whole work (it returns 4), as upstream's does.
-- ----------------------------------------------------------------------
set client_min_messages = warning;

create schema pgq_ext;

-- last tick applied per consumer (tick tracking)
create table pgq_ext.completed_tick (
    consumer_id     text not null,
    subconsumer_id  text not null,
    last_tick_id    bigint not null,
    primary key (consumer_id, subconsumer_id)
);

-- last batch applied per consumer (batch tracking)
create table pgq_ext.completed_batch (
    consumer_id     text not null,
    subconsumer_id  text not null,
    last_batch_id   bigint not null,
    primary key (consumer_id, subconsumer_id)
);

-- events applied in the consumer's current partial batch (event tracking)
create table pgq_ext.completed_event (
    consumer_id     text not null,
    subconsumer_id  text not null,
    batch_id        bigint not null,
    event_id        bigint not null,
    primary key (consumer_id, subconsumer_id, batch_id, event_id)
);

-- which batch the completed_event rows of a consumer belong to
create table pgq_ext.partial_batch (
    consumer_id     text not null,
    subconsumer_id  text not null,
    cur_batch_id    bigint not null,
    primary key (consumer_id, subconsumer_id)
);
