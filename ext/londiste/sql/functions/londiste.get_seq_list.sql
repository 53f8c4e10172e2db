create or replace function londiste.get_seq_list(
    in i_queue_name text,
    out seq_name text,
    out last_value int8,
    out local boolean)
returns setof record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.get_seq_list(1)
--
--      The sequences registered for the queue with the last value the
--      root published, in registration order.
-- ----------------------------------------------------------------------
    select s.seq_name, s.last_value, s.local
      from londiste.seq_info s
     where s.queue_name = i_queue_name
     order by s.nr, s.seq_name;
$$ language sql stable strict;
