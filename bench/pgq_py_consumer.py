"""bench/pgq_py_consumer.py INI: drain a queue with upstream's Python
consumer class (Debian's python3-pgq, pgq.Consumer) and exit when no batch
is left.  The event handler does nothing, as the C consumer's in the bench.
Run with PYTHONPATH pointing at the unpacked python3-pgq/python3-skytools.
"""
import sys

import pgq


class BenchConsumer(pgq.Consumer):
    """Counts events; stops at the first empty poll."""

    events = 0

    def process_event(self, db, ev):
        self.events += 1

    def work(self):
        got = super().work()
        if not got:
            self.stop()
        return got


if __name__ == '__main__':
    c = BenchConsumer('bench_consumer', 'db', sys.argv[1:])
    c.start()
    print(c.events)
