#!/usr/bin/env python3
"""Example consumer for sluice change events (Debezium JSON format) with confluent-kafka (librdkafka).

Prints one JSON line per event on stdout: {topic, partition, offset, key, op, before, after} or, for a tombstone
(null value), {topic, partition, offset, key, tombstone: true}; a record that is not a change event (transaction
metadata, heartbeats, an unwrapped row) as {topic, partition, offset, key, value}. Status lines go to stderr.

Environment: SLUICE_KAFKA_BOOTSTRAP (default 127.0.0.1:29092, comma-separated), SLUICE_TOPIC (default
myserver.public.customers; several topics comma-separated), SLUICE_CONSUMER_GROUP (default python-consumer).
librdkafka decodes every compression codec, so this consumer reads any producer setting.

    pip install -r requirements.txt && python3 consumer.py
"""
import json
import os
import signal
import sys

from confluent_kafka import Consumer, KafkaError

stopping = False


def decode(data):
    """The payload of a Debezium JSON document with schemas ({"schema", "payload"}) or without; text that is
    not JSON as a string."""
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")
    if isinstance(doc, dict) and "schema" in doc and "payload" in doc:
        return doc["payload"]
    return doc


def describe(m):
    out = {"topic": m.topic(), "partition": m.partition(), "offset": m.offset(), "key": decode(m.key())}
    if m.value() is None:
        out["tombstone"] = True
        return out
    value = decode(m.value())
    if isinstance(value, dict) and "op" in value:
        out.update(op=value["op"], before=value.get("before"), after=value.get("after"))
    else:
        out["value"] = value
    return out


def main():
    global stopping
    brokers = os.environ.get("SLUICE_KAFKA_BOOTSTRAP") or "127.0.0.1:29092"
    topics = [t.strip() for t in (os.environ.get("SLUICE_TOPIC") or "myserver.public.customers").split(",")
              if t.strip()]
    group = os.environ.get("SLUICE_CONSUMER_GROUP") or "python-consumer"

    def stop(*_):
        global stopping
        stopping = True
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    consumer = Consumer({"bootstrap.servers": brokers, "group.id": group, "client.id": "sluice-example-python",
                         # a new group reads the topics from the start
                         "auto.offset.reset": "earliest",
                         # a subscribed topic that does not exist yet (sluice creates a topic with its first
                         # record) is picked up at the next metadata refresh: every 5 s, not librdkafka's 5 min
                         "topic.metadata.refresh.interval.ms": 5000})
    consumer.subscribe(topics)
    print(f"consuming {topics} from {brokers} as group {group}", file=sys.stderr, flush=True)
    try:
        while not stopping:
            m = consumer.poll(0.5)
            if m is None:
                continue
            if m.error():
                # A topic not created yet: the subscription picks it up once it is.
                if m.error().code() not in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                    print(f"consume error: {m.error()}", file=sys.stderr, flush=True)
                    if m.error().fatal():
                        return 1
                continue
            print(json.dumps(describe(m)), flush=True)
    finally:
        consumer.close()
        print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
