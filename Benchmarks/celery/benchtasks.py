"""Celery tasks equivalent to the Chorus examples plugin's benchmark tasks.

The broker and the result backend are the redis-server that Benchmarks/run
starts on loopback; its URL comes from BENCH_REDIS_URL.
"""
import os

from celery import Celery

url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
app = Celery("benchtasks", broker=url, backend=url)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    result_expires=3600,
)


@app.task
def noop():
    """Does nothing (Chorus: noop, void ())."""


@app.task
def identity(x):
    """Chorus: identity, int64 (int64 x)."""
    return x


@app.task
def add(x, y):
    """Chorus: add, int64 (int64 x, int64 y)."""
    return x + y


@app.task
def tsum(numbers):
    """Chorus: tsum, the chord body: the sum of a list of integers."""
    return sum(numbers)
