// Example consumer for sluice change events (Debezium JSON format) using kafkajs.
// Prints one JSON line per event on stdout: {topic, partition, offset, key, op, before, after} or, for a
// tombstone (null value), {topic, partition, offset, key, tombstone: true}. Status lines go to stderr.
//
// Environment: SLUICE_KAFKA_BOOTSTRAP (default 127.0.0.1:29092, comma-separated), SLUICE_TOPIC (default
// myserver.public.customers; several topics comma-separated), SLUICE_CONSUMER_GROUP (default nodejs-consumer).
// Plain kafkajs reads sluice's topics with its defaults (uncompressed batches); a producer set to
// compression.type=lz4/snappy/zstd needs a kafkajs codec package registered here.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.SLUICE_KAFKA_BOOTSTRAP || '127.0.0.1:29092').split(',').map((b) => b.trim());
const topics = (process.env.SLUICE_TOPIC || 'myserver.public.customers').split(',').map((t) => t.trim());
const groupId = process.env.SLUICE_CONSUMER_GROUP || 'nodejs-consumer';

const log = (msg, fields = {}) =>
  process.stderr.write(`${new Date().toISOString()} ${msg} ${JSON.stringify(fields)}\n`);

// Debezium JSON comes with schemas (converter schemas.enable=true: {"schema":…,"payload":…}) or without
// (the payload itself). Returns the payload either way; non-JSON text is returned as a string.
function decode(buf) {
  if (buf === null || buf === undefined) return null;
  const text = buf.toString('utf8');
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (parsed !== null && typeof parsed === 'object' && 'schema' in parsed && 'payload' in parsed) {
    return parsed.payload;
  }
  return parsed;
}

function describe({ topic: t, partition, message }) {
  const out = { topic: t, partition, offset: message.offset, key: decode(message.key) };
  if (message.value === null) {
    out.tombstone = true;
    return out;
  }
  const value = decode(message.value);
  if (value !== null && typeof value === 'object' && 'op' in value) {
    out.op = value.op;
    out.before = value.before ?? null;
    out.after = value.after ?? null;
  } else {
    out.value = value; // not a change event (e.g. an unwrapped record or plain text)
  }
  return out;
}

// kafkajs' own log lines go to stderr too, in the same shape, so stdout carries only events.
const logCreator =
  () =>
  ({ namespace, label, log: entry }) => {
    const { message, timestamp, logger, ...extra } = entry;
    log(`kafkajs ${label} ${namespace}: ${message}`, extra);
  };

const kafka = new Kafka({ clientId: 'sluice-example', brokers, logLevel: logLevel.WARN, logCreator });
// A short fetch wait keeps shutdown quick: disconnect waits for the fetch in flight.
const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });

consumer.on(consumer.events.GROUP_JOIN, (e) => {
  const { memberId, memberAssignment } = e.payload;
  log('consumer joined', { groupId, memberId, assignment: memberAssignment });
});
consumer.on(consumer.events.CRASH, (e) => {
  log('consumer crashed', { error: String(e.payload.error), restart: e.payload.restart });
  if (!e.payload.restart) process.exit(1); // kafkajs gave up: say so with the exit code
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log('stopping', { signal });
  setTimeout(() => process.exit(0), 10000).unref(); // never hang on shutdown
  try {
    await consumer.disconnect();
  } catch (err) {
    log('disconnect failed', { error: String(err) });
  }
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Right after a topic is (re)created the broker can briefly answer UNKNOWN_TOPIC_OR_PARTITION: retry
// retriable errors for a while instead of giving up.
async function subscribe() {
  for (let attempt = 1; ; attempt++) {
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      return;
    } catch (err) {
      if (!err.retriable || attempt >= 30 || stopping) throw err;
      log('subscribe failed, retrying', { error: String(err.message || err), attempt });
      await sleep(1000);
    }
  }
}

async function main() {
  log('starting', { brokers, topics, groupId });
  await consumer.connect();
  await subscribe();
  await consumer.run({
    eachMessage: async (m) => {
      process.stdout.write(`${JSON.stringify(describe(m))}\n`);
    },
  });
}

main().catch((err) => {
  log('fatal', { error: String(err && err.stack ? err.stack : err) });
  process.exit(1);
});
