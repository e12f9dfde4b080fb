"""The conformance workload: tables covering the Postgres types and event kinds, rows that exist before the
connectors start (snapshot reads), and one DML script applied while both stream. `{s}` is the test's schema."""

EXTENSIONS = ["CREATE EXTENSION IF NOT EXISTS hstore", "CREATE EXTENSION IF NOT EXISTS citext",
              "CREATE EXTENSION IF NOT EXISTS ltree"]

SCHEMA = [
    "CREATE SCHEMA {s}",
    "CREATE TYPE {s}.mood AS ENUM ('sad', 'ok', 'happy')",
    "CREATE DOMAIN {s}.posint AS integer CHECK (VALUE > 0)",
    "CREATE DOMAIN {s}.price AS numeric(8,3)",
    "CREATE DOMAIN {s}.code AS varchar(5)",
    """CREATE TABLE {s}.numbers (id serial PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, o oid, f4 real,
        f8 double precision, n numeric, n102 numeric(10,2), n50 numeric(5,0), nbig numeric(40,10), m money,
        b boolean NOT NULL DEFAULT true, i4d integer DEFAULT 42)""",
    """CREATE TABLE {s}.strings (id integer PRIMARY KEY, c char(5), vc varchar(20), t text, nm name, ci citext,
        ch "char", u text)""",
    "CREATE TABLE {s}.bits (id integer PRIMARY KEY, b1 bit(1), b5 bit(5), vb varbit(16), vbn varbit)",
    "CREATE TABLE {s}.binary (id integer PRIMARY KEY, bt bytea)",
    """CREATE TABLE {s}.times (id integer PRIMARY KEY, d date, t time, t0 time(0), t3 time(3), t6 time(6),
        ttz timetz, ttz3 timetz(3), ts timestamp, ts0 timestamp(0), ts3 timestamp(3), ts6 timestamp(6),
        tstz timestamptz, tstz0 timestamptz(0), tstz3 timestamptz(3), iv interval)""",
    """CREATE TABLE {s}.misc (id uuid PRIMARY KEY, j json, jb jsonb, x xml, e {s}.mood, dp {s}.posint,
        dn {s}.price, dc {s}.code, ip inet, net cidr, mac macaddr, mac8 macaddr8)""",
    """CREATE TABLE {s}.ranges (id integer PRIMARY KEY, r4 int4range, r8 int8range, rn numrange, rts tsrange,
        rtstz tstzrange, rd daterange)""",
    "CREATE TABLE {s}.extras (id integer PRIMARY KEY, h hstore, lt ltree)",
    "CREATE TABLE {s}.geo (id integer PRIMARY KEY, p point, l line, ls lseg, bx box, pa path, pg polygon, c circle)",
    """CREATE TABLE {s}.arrays (id integer PRIMARY KEY, ai2 int2[], ai4 int4[], ai8 int8[], atext text[],
        avc varchar(10)[], af4 real[], af8 float8[], anum numeric[], anum2 numeric(6,2)[], ab bool[], ad date[],
        ats timestamp[], atstz timestamptz[], at time[], attz timetz[], auuid uuid[], ajson json[], ajsonb jsonb[],
        abytea bytea[], ainet inet[], acidr cidr[], amac macaddr[], arange int4range[], achar char(2)[])""",
    "CREATE TABLE {s}.ri_full (id integer PRIMARY KEY, a text, b integer)",
    "ALTER TABLE {s}.ri_full REPLICA IDENTITY FULL",
    "CREATE TABLE {s}.ri_nothing (id integer PRIMARY KEY, a text)",
    "ALTER TABLE {s}.ri_nothing REPLICA IDENTITY NOTHING",
    "CREATE TABLE {s}.ri_index (id integer PRIMARY KEY, code text NOT NULL, a text)",
    "CREATE UNIQUE INDEX ri_index_code ON {s}.ri_index (code)",
    "ALTER TABLE {s}.ri_index REPLICA IDENTITY USING INDEX ri_index_code",
    "CREATE TABLE {s}.nopk (a integer, b text)",
    "CREATE TABLE {s}.nopk_full (a integer, b text)",
    "ALTER TABLE {s}.nopk_full REPLICA IDENTITY FULL",
    "CREATE TABLE {s}.toast (id integer PRIMARY KEY, big text, other integer)",
    "CREATE TABLE {s}.composite (a integer, b text, c integer, PRIMARY KEY (b, a))",
    "CREATE TABLE {s}.pkchange (id integer PRIMARY KEY, v text)",
    "CREATE TABLE {s}.evolve (id integer PRIMARY KEY, a text)",
    "CREATE TABLE {s}.truncated (id integer PRIMARY KEY)",
    "CREATE TABLE {s}.msg_tx (id integer PRIMARY KEY)",
    "CREATE TABLE {s}.zz_done (id integer PRIMARY KEY)",
]

# Rows present before the connectors start: they arrive as snapshot reads (op "r").
SNAPSHOT_ROWS = [
    """INSERT INTO {s}.numbers (i2, i4, i8, o, f4, f8, n, n102, n50, nbig, m) VALUES
        (1, 2, 3, 4, 1.5, 2.25, 12.345, 1234.56, 12345, 123456789012345678901234567890.0123456789, 12.34)""",
    "INSERT INTO {s}.strings VALUES (1, 'ab', 'varchar', 'text', 'name', 'CiText', 'x', 'héllo wörld ✓ 日本')",
    "INSERT INTO {s}.times (id, d, t, ts, tstz, iv) VALUES (1, '2024-02-29', '10:11:12.345678', "
    "'2024-05-01 10:11:12.123456', '2024-05-01 10:11:12.5+02', '1 year 2 mons 3 days 04:05:06.789')",
    "INSERT INTO {s}.binary VALUES (1, '\\x0102ff')",
    "INSERT INTO {s}.pkchange VALUES (1, 'a')",
    "INSERT INTO {s}.composite VALUES (1, 'x', 10)",
    # The last table in name order has a row: it is the snapshot's "last" (README: sluice does not move the
    # marker back to an earlier table when the last tables are empty).
    "INSERT INTO {s}.zz_done VALUES (0)",
]

STREAM = [
    # numbers: regular, specials, negatives, NULLs, defaults
    """INSERT INTO {s}.numbers (i2, i4, i8, o, f4, f8, n, n102, n50, nbig, m) VALUES
        (-32768, -2147483648, -9223372036854775808, 4294967295, -0.0, 1e308, -0.000001, -99999999.99, -1, 0, -1234.5)""",
    """INSERT INTO {s}.numbers (i2, i4, i8, o, f4, f8, n, n102, n50, nbig, m) VALUES
        (32767, 2147483647, 9223372036854775807, 0, 'NaN', 'Infinity', 'NaN', 'NaN', 0, 1e29, 0)""",
    """INSERT INTO {s}.numbers (f4, f8, n) VALUES ('-Infinity', '-Infinity', 1e-20)""",
    "INSERT INTO {s}.numbers (b, i4d) VALUES (false, NULL)",
    "UPDATE {s}.numbers SET n = 1.10, f8 = 3.14159 WHERE id = 1",
    "DELETE FROM {s}.numbers WHERE id = 4",
    # strings
    "INSERT INTO {s}.strings VALUES (2, 'abcde', '', '', '', '', '\"', 'quote \" backslash \\ tab\t nl\n')",
    "INSERT INTO {s}.strings (id) VALUES (3)",
    "UPDATE {s}.strings SET t = 'changed' WHERE id = 1",
    # bits
    "INSERT INTO {s}.bits VALUES (1, B'1', B'10101', B'1100110011', B'1')",
    "INSERT INTO {s}.bits VALUES (2, B'0', B'00000', B'', B'111111111111111111')",
    "INSERT INTO {s}.bits (id) VALUES (3)",
    # binary
    "INSERT INTO {s}.binary VALUES (2, '\\x'), (3, NULL), (4, '\\xfbff00aabbccddeeff')",
    "UPDATE {s}.binary SET bt = '\\x00' WHERE id = 1",
    # times
    """INSERT INTO {s}.times VALUES (2, '0001-01-01 BC', '00:00:00', '23:59:59', '12:34:56.789', '12:34:56.789123',
        '10:11:12+05:30', '10:11:12.123-08', '1970-01-01 00:00:00', '2000-01-01 12:00:00.4',
        '1999-12-31 23:59:59.999', '1900-01-01 00:00:00.000001', '1970-01-01 00:00:00+00',
        '2024-05-01 10:11:12.6+00', '0044-03-15 12:00:00.123 BC', '-1 year -2 mons +3 days -04:05:06.5')""",
    """INSERT INTO {s}.times (id, d, ts, tstz, iv) VALUES (3, 'infinity', 'infinity', 'infinity', '0')""",
    """INSERT INTO {s}.times (id, d, ts, tstz, iv) VALUES (4, '-infinity', '-infinity', '-infinity', '100 days')""",
    "INSERT INTO {s}.times (id) VALUES (5)",
    # misc: json, xml, enum, domains, network types
    """INSERT INTO {s}.misc VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{{"a": [1, 2.5, null]}}',
        '{{"b": {{"c": true}}}}', '<r><x a="1">t</x></r>', 'happy', 7, 12.345, 'ab', '192.168.0.1/24', '10.0.0.0/8',
        '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05')""",
    "INSERT INTO {s}.misc (id) VALUES ('00000000-0000-0000-0000-000000000000')",
    "UPDATE {s}.misc SET e = 'sad' WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
    # ranges
    """INSERT INTO {s}.ranges VALUES (1, '[1,10)', '(,5]', '[1.5,2.5]', '[2024-01-01 10:00,2024-01-02 11:00)',
        '[2024-01-01 10:00+00,)', '[2024-01-01,2024-02-01)')""",
    "INSERT INTO {s}.ranges VALUES (2, 'empty', 'empty', 'empty', 'empty', 'empty', 'empty')",
    "INSERT INTO {s}.ranges (id) VALUES (3)",
    # hstore, ltree
    """INSERT INTO {s}.extras VALUES (1, 'a=>1, b=>NULL, "c d"=>"e \\"f", bb=>2', 'top.middle.leaf')""",
    "INSERT INTO {s}.extras VALUES (2, '', 'x')",
    "INSERT INTO {s}.extras (id) VALUES (3)",
    # geometric
    """INSERT INTO {s}.geo VALUES (1, '(1.5,2.5)', '{{1,2,3}}', '[(0,0),(1,1)]', '((0,0),(2,2))',
        '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(1,1),2>')""",
    "INSERT INTO {s}.geo (id) VALUES (2)",
    # arrays
    """INSERT INTO {s}.arrays VALUES (1, '{{1,NULL,3}}', '{{1,2}}', '{{-1}}', '{{a,"b c",NULL,"x\\"y",""}}', '{{v}}',
        '{{1.5,NaN}}', '{{2.25,-Infinity}}', '{{1.10,NULL,-3}}', '{{1.5,2.25}}', '{{t,f,NULL}}', '{{2024-01-01}}',
        '{{"2024-01-01 10:00:00.5"}}', '{{"2024-01-01 10:00:00+02"}}', '{{10:00:00}}', '{{10:00:00+02}}',
        '{{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}}', ARRAY['{{"k":1}}']::json[], ARRAY['[1,2]']::jsonb[],
        '{{"\\\\x0102"}}', '{{10.0.0.1}}', '{{10.0.0.0/8}}', '{{08:00:2b:01:02:03}}', '{{"[1,5)"}}', '{{ab,c}}')""",
    """INSERT INTO {s}.arrays VALUES (2, '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}',
        '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}',
        '{{}}', '{{}}')""",
    "INSERT INTO {s}.arrays (id) VALUES (3)",
    # replica identities (NOTHING: only inserts are allowed on a published table)
    "INSERT INTO {s}.ri_full VALUES (1, 'a', 1), (2, 'b', 2)",
    "UPDATE {s}.ri_full SET a = 'a2' WHERE id = 1",
    "DELETE FROM {s}.ri_full WHERE id = 2",
    "INSERT INTO {s}.ri_nothing VALUES (1, 'a')",
    "INSERT INTO {s}.ri_index VALUES (1, 'k1', 'a')",
    "UPDATE {s}.ri_index SET a = 'b' WHERE id = 1",
    "DELETE FROM {s}.ri_index WHERE id = 1",
    "INSERT INTO {s}.nopk VALUES (1, 'a'), (NULL, NULL)",
    "INSERT INTO {s}.nopk_full VALUES (1, 'a')",
    "UPDATE {s}.nopk_full SET b = 'b'",
    "DELETE FROM {s}.nopk_full",
    # unchanged TOAST: update another column, then delete (RI DEFAULT)
    "INSERT INTO {s}.toast VALUES (1, (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i), 1)",
    "UPDATE {s}.toast SET other = 2 WHERE id = 1",
    "DELETE FROM {s}.toast WHERE id = 1",
    # composite key, primary-key change
    "INSERT INTO {s}.composite VALUES (2, 'y', 20)",
    "UPDATE {s}.composite SET c = 21 WHERE a = 2",
    "DELETE FROM {s}.composite WHERE a = 1",
    "UPDATE {s}.pkchange SET id = 2 WHERE id = 1",
    "UPDATE {s}.pkchange SET v = 'b' WHERE id = 2",
    "DELETE FROM {s}.pkchange WHERE id = 2",
    # multi-statement transaction
    "BEGIN; INSERT INTO {s}.evolve VALUES (1, 'a'); INSERT INTO {s}.evolve VALUES (2, 'b'); COMMIT",
    # schema changes while streaming
    "ALTER TABLE {s}.evolve ADD COLUMN c integer DEFAULT 7",
    "INSERT INTO {s}.evolve VALUES (3, 'c', 8)",
    "ALTER TABLE {s}.evolve RENAME COLUMN a TO a2",
    "INSERT INTO {s}.evolve VALUES (4, 'd', 9)",
    "ALTER TABLE {s}.evolve ALTER COLUMN c TYPE bigint",
    "INSERT INTO {s}.evolve VALUES (5, 'e', 10)",
    "ALTER TABLE {s}.evolve DROP COLUMN a2",
    "INSERT INTO {s}.evolve VALUES (6, 11)",
    "UPDATE {s}.evolve SET c = 12 WHERE id = 1",
    # logical decoding messages (op "m" on <prefix>.message): non-transactional (sent at once, even from inside
    # a transaction), transactional alone and among changes, text, binary and empty content
    "SELECT pg_logical_emit_message(false, 'sluice-ntx', 'non-transactional')",
    "SELECT pg_logical_emit_message(true, 'sluice-tx', 'transactional ✓')",
    """BEGIN; INSERT INTO {s}.msg_tx VALUES (1); SELECT pg_logical_emit_message(true, 'in-tx', '\\x00ff10'::bytea);
        INSERT INTO {s}.msg_tx VALUES (2); SELECT pg_logical_emit_message(true, 'in-tx', 'second');
        SELECT pg_logical_emit_message(false, 'ntx-in-tx', 'x'); UPDATE {s}.numbers SET i2 = 7 WHERE id = 1;
        COMMIT""",
    "SELECT pg_logical_emit_message(true, '', '')",
    # truncate: op "t" where skipped.operations allows it
    "INSERT INTO {s}.truncated VALUES (1)",
    "TRUNCATE {s}.truncated",
]

# Written last: once both connectors published it, everything before it was published too.
DONE = "INSERT INTO {s}.zz_done VALUES (1)"

TABLES = ["numbers", "strings", "bits", "binary", "times", "misc", "ranges", "extras", "geo", "arrays", "ri_full",
          "ri_nothing", "ri_index", "nopk", "nopk_full", "toast", "composite", "pkchange", "evolve", "truncated",
          "msg_tx", "zz_done"]
# Topics that are not a table's: <prefix>.message (logical decoding messages) and <prefix>.transaction
# (provide.transaction.metadata).
OTHER_TOPICS = ["message", "transaction"]
