"""The conformance workload: tables covering the Postgres types and event kinds, rows that exist before the
connectors start (snapshot reads), and one DML script applied while both stream. `{s}` is the test's schema."""

EXTENSIONS = ["CREATE EXTENSION IF NOT EXISTS hstore", "CREATE EXTENSION IF NOT EXISTS citext",
              "CREATE EXTENSION IF NOT EXISTS ltree", "CREATE EXTENSION IF NOT EXISTS cube"]

# The second schema, quoted and case-sensitive ({S}), and the 1,000-column table's width.
WIDE_COLUMNS = 1000

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
    # multidimensional arrays (MD_ARRAYS; the same values read by the snapshot and streamed)
    """CREATE TABLE {s}.md_arrays (id integer PRIMARY KEY, ai2 int2[], ai4 int4[], ai8 int8[], atext text[],
        avc varchar(10)[], af4 real[], af8 float8[], anum numeric[], anum2 numeric(6,2)[], ab bool[], ad date[],
        ats timestamp[], atstz timestamptz[], at time[], attz timetz[], auuid uuid[], ajson json[], ajsonb jsonb[],
        abytea bytea[], ainet inet[], acidr cidr[], amac macaddr[], arange int4range[], achar char(2)[],
        a3 int4[][][], anull int4[][], abound int4[])""",
    """CREATE TABLE {s}.md_typed (id integer PRIMARY KEY, moods {s}.mood[], posints {s}.posint[], cis citext[],
        lts ltree[], hs hstore[], tsv tsvector[])""",
    # values Debezium's snapshot (JDBC) and streaming (pgoutput text) paths render differently (SNAPDIFF_*)
    """CREATE TABLE {s}.snapdiff (id integer PRIMARY KEY, d date, d2 date, ts0 timestamp(0), ts3 timestamp(3),
        ts6 timestamp(6), tsold timestamp, tstz timestamptz, tstz3 timestamptz(3), t time, ttz timetz, m money,
        iv interval, n numeric, n2 numeric(10,2), m2 money, f4 real, f8 float8, tsmax timestamp, dbig date,
        t6 time(6), ttz6 timetz(6), tstzmax timestamptz)""",
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
    # unchanged TOAST under REPLICA IDENTITY FULL (the old row has the value) and in a TOASTed primary key
    # (STORAGE EXTERNAL: stored out of line above ~2 kB, under the 2.7 kB B-tree limit; the key-only old
    # tuple has it)
    "CREATE TABLE {s}.toast_full (id integer PRIMARY KEY, big text, other integer)",
    "ALTER TABLE {s}.toast_full REPLICA IDENTITY FULL",
    "CREATE TABLE {s}.toast_key (k text PRIMARY KEY, other integer, big text)",
    "ALTER TABLE {s}.toast_key ALTER COLUMN k SET STORAGE EXTERNAL",
    "CREATE TABLE {s}.composite (a integer, b text, c integer, PRIMARY KEY (b, a))",
    "CREATE TABLE {s}.pkchange (id integer PRIMARY KEY, v text)",
    "CREATE TABLE {s}.evolve (id integer PRIMARY KEY, a text)",
    "CREATE TABLE {s}.truncated (id integer PRIMARY KEY)",
    "CREATE TABLE {s}.msg_tx (id integer PRIMARY KEY)",
    "CREATE TABLE {s}.origin_tx (id integer PRIMARY KEY)",
    # message.key.columns (combos c, d): a key of other columns, in configured order, and a key for a table
    # without a primary key (nopk, nopk_full). REPLICA IDENTITY FULL: the old key is known (README: with a
    # key-only old tuple lacking key columns sluice deliberately differs)
    "CREATE TABLE {s}.keyed (id integer PRIMARY KEY, code text NOT NULL, grp integer, v text)",
    "ALTER TABLE {s}.keyed REPLICA IDENTITY FULL",
    # types Debezium has no converter for (include.unknown.datatypes), enum and domain arrays
    "CREATE TYPE {s}.pair AS (x integer, label text)",
    """CREATE TABLE {s}.unknown (id integer PRIMARY KEY, tsv tsvector, tsq tsquery, lsn pg_lsn DEFAULT '0/5', snap txid_snapshot,
        pr {s}.pair, cb cube, mr int4multirange, ai interval[], am money[], anm name[], ax xml[], apt point[],
        avb varbit[], atsv tsvector[], apr {s}.pair[])""",
    """CREATE TABLE {s}.typed_arrays (id integer PRIMARY KEY, moods {s}.mood[], posints {s}.posint[], codes {s}.code[],
        cis citext[], lts ltree[], hs hstore[])""",
    # multi-byte UTF-8 (2-, 3- and 4-byte sequences) in table and column names, text and JSON
    """CREATE TABLE {s}."utf8_ñ_🚀" (id integer PRIMARY KEY, "名前" text, "émoji_🎉" varchar(20), j json,
        jb jsonb, arr text[])""",
    # quoted, case-sensitive schema, table and column names
    'CREATE SCHEMA "{S}"',
    'CREATE TABLE "{S}"."Order Items" ("Id" integer PRIMARY KEY, "Qty" integer, "Note" text)',
    # empty tables first and last in snapshot order ("MySchema_…" sorts before "cf_…"): no row is marked
    # "first", and "last" moves back to the last row read
    'CREATE TABLE "{S}"."Aa Empty" (id integer PRIMARY KEY)',
    "CREATE TABLE {s}.zzz_empty (id integer PRIMARY KEY)",
    # a value of ~10 MB (raised producer and topic limits: test_debezium_conformance.LARGE_MESSAGE_SETTINGS)
    "CREATE TABLE {s}.huge (id integer PRIMARY KEY, big text, other integer)",
    "CREATE TABLE {s}.wide (id integer PRIMARY KEY, "
    + ", ".join(f"c{i} {('integer', 'text', 'numeric(8,2)', 'boolean')[i % 4]}" for i in range(1, WIDE_COLUMNS))
    + ")",
    # the outbox pattern (io.debezium.transforms.outbox.EventRouter): Debezium's documented outbox table, plus a
    # header column and an event timestamp (Debezium's Kafka timestamp: the rows set it to now, as one in the
    # past is soon removed by the topic's retention, and one ahead is refused by the broker)
    """CREATE TABLE {s}.outbox (id uuid PRIMARY KEY, aggregatetype varchar(255) NOT NULL,
        aggregateid varchar(255) NOT NULL, type varchar(255) NOT NULL, payload jsonb, seq integer,
        created timestamp(6))""",
    "CREATE TABLE {s}.zz_done (id integer PRIMARY KEY)",
]

# md_arrays / md_typed values after the id, and two snapdiff rows (BC and pre-Gregorian times, 24:00,
# money beyond a double's precision, NaN, float extremes, the largest date and timestamps; infinities, the
# earliest dates), each inserted before the connectors start (a snapshot read) and again while they stream.
MD_ARRAYS = r"""'{{{{1,2}},{{3,4}}}}', '{{{{1,2}},{{3,4}}}}', '{{{{1,2}},{{3,4}}}}', '{{{{a,b}},{{"c d",NULL}}}}',
    '{{{{v,w}}}}', '{{{{1.5,2}},{{3,4}}}}', '{{{{1.5,2}},{{3,4}}}}', '{{{{1.1,2}},{{3,4}}}}', '{{{{1.1,2}},{{3,4}}}}',
    '{{{{t,f}},{{f,t}}}}', '{{{{2024-01-01}},{{2024-01-02}}}}', '{{{{"2024-01-01 10:00:00"}}}}',
    '{{{{"2024-01-01 10:00:00+00"}}}}', '{{{{10:00:00}}}}', '{{{{10:00:00+02}}}}',
    '{{{{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}}}}', '{{{{"{{}}"}}}}', '{{{{"[1]"}}}}', '{{{{"\\x01"}}}}',
    '{{{{10.0.0.1}}}}', '{{{{10.0.0.0/8}}}}', '{{{{08:00:2b:01:02:03}}}}', '{{{{"[1,5)"}}}}', '{{{{ab,c}}}}',
    '{{{{{{1,2}},{{3,4}}}},{{{{5,6}},{{7,8}}}}}}', '{{{{NULL,NULL}},{{NULL,1}}}}', '[0:1][1:1]={{{{1}},{{2}}}}'"""
MD_TYPED = """'{{{{sad,ok}}}}', '{{{{1,2}}}}', '{{{{Ab,c}}}}', '{{{{a.b,c}}}}', ARRAY[ARRAY['a=>1'::hstore]],
    ARRAY[ARRAY['a:1'::tsvector]]"""
SNAPDIFF_A = """'0044-03-15 BC', '1000-01-01', '0044-03-15 12:00:00 BC', '0044-03-15 12:00:00.123 BC',
    '0044-03-15 12:00:00.123456 BC', '1000-01-01 10:00:00', '0044-03-15 12:00:00.5+00 BC',
    '1000-01-01 00:00:00.123+00', '24:00:00', '24:00:00+00', -5, '-1 year -2 mons +3 days -04:05:06.5', 'NaN',
    'NaN', '92233720368547758.07', '3.4028235e38', '4.9e-324', '294276-12-31 23:59:59.999999', '5874897-12-31',
    '23:59:59.999999', '23:59:59.999999-15:59', '294276-12-31 23:59:59.999999+00'"""
SNAPDIFF_B = """'-infinity', 'infinity', '-infinity', 'infinity', '-infinity', '1582-10-10 00:00:00', '-infinity',
    'infinity', '00:00:00', '00:00:00+14', 12.3, '0', '-0.0', -0.5, '-92233720368547758.08', '1.4e-45', '-0',
    '4713-01-01 00:00:00 BC', '4713-01-01 BC', '00:00:00.000001', '00:00:00.000001+15:59',
    '4713-01-01 00:00:00+00 BC'"""

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
    "INSERT INTO {s}.keyed VALUES (1, 'k1', 10, 'snap')",
    """INSERT INTO {s}.unknown (id, tsv, tsq, lsn, snap, pr, cb, mr, atsv, apr) VALUES (100, 'a:1', 'a & b', '0/16',
        '10:20:', ROW(3, 's'), '(1)', '{{[1,2)}}', ARRAY['y'::tsvector], ARRAY[ROW(4, 'x')::{s}.pair])""",
    "INSERT INTO {s}.geo VALUES (100, '(0,0)', '{{1,-1,0}}', '[(1e20,-0.5),(2,3)]', '(1,1),(0,0)', '((0,0),(1,0))', '((1,2))', '<(0,0),1.5>')",
    """INSERT INTO {s}.typed_arrays VALUES (100, '{{ok}}', '{{3}}', '{{ef}}', '{{X}}', '{{top.x}}', ARRAY['b=>2'::hstore])""",
    """INSERT INTO {s}."utf8_ñ_🚀" VALUES (1, 'snap ✓ 日本 🎉', 'ü', '{{"ключ": "🚀"}}', '{{"ü": "\\u00e9"}}',
        '{{"ä","𝄞"}}')""",
    """INSERT INTO "{S}"."Order Items" VALUES (1, 5, 'snap')""",
    # unchanged TOAST: rows read by the snapshot, updated while streaming
    "INSERT INTO {s}.toast_full VALUES (1, (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i), 1)",
    "INSERT INTO {s}.toast_key VALUES ((SELECT string_agg(md5(i::text), '') FROM generate_series(1, 78) i), 1, 'a')",
    f"INSERT INTO {{s}}.md_arrays VALUES (1, {MD_ARRAYS})",
    f"INSERT INTO {{s}}.md_typed VALUES (1, {MD_TYPED})",
    f"INSERT INTO {{s}}.snapdiff VALUES (1, {SNAPDIFF_A}), (3, {SNAPDIFF_B})",
    """INSERT INTO {s}.outbox VALUES
        ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a01', 'Order', 'o-1', 'OrderCreated',
         '{{"id": 1, "lines": [{{"sku": "A", "qty": 2}}, {{"sku": "B", "qty": 1}}], "total": 12.50}}', 1,
         now() AT TIME ZONE 'UTC'),
        ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a02', 'Customer', 'c-1', 'CustomerCreated',
         '{{"name": "Ann", "vip": true}}', 2, NULL)""",
    # The last table with rows (zzz_empty, after it, has none): its row is the snapshot's "last".
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
    # unchanged TOAST under REPLICA IDENTITY FULL and in a TOASTed key: after takes the old tuple's value
    "UPDATE {s}.toast_full SET other = 2 WHERE id = 1",
    "INSERT INTO {s}.toast_full VALUES (2, (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i), 1)",
    "UPDATE {s}.toast_full SET other = 3 WHERE id = 2",
    "DELETE FROM {s}.toast_full WHERE id = 2",
    "UPDATE {s}.toast_key SET other = 2",
    "INSERT INTO {s}.toast_key VALUES ((SELECT string_agg(md5((i + 1)::text), '') FROM generate_series(1, 78) i), 1, "
    "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i))",
    "UPDATE {s}.toast_key SET other = 3 WHERE other = 1",
    # multidimensional arrays, snapshot/stream values: the snapshot rows' values again
    f"INSERT INTO {{s}}.md_arrays VALUES (2, {MD_ARRAYS})",
    f"INSERT INTO {{s}}.md_typed VALUES (2, {MD_TYPED})",
    f"INSERT INTO {{s}}.snapdiff VALUES (2, {SNAPDIFF_A}), (4, {SNAPDIFF_B})",
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
    # message.key.columns: a change of the custom key (delete + create), of the primary key only (an update)
    "INSERT INTO {s}.keyed VALUES (2, 'k2', NULL, 'a'), (3, 'k3', 30, 'b')",
    "UPDATE {s}.keyed SET v = 'c' WHERE id = 2",
    "UPDATE {s}.keyed SET code = 'k2b', grp = 21 WHERE id = 2",
    "UPDATE {s}.keyed SET id = 4 WHERE id = 3",
    "DELETE FROM {s}.keyed WHERE id = 1",
    # unknown types
    """INSERT INTO {s}.unknown VALUES (1, 'a fat cat:2 sat', 'fat & (rat | cat)', '16/B374D848', '10:20:10,14,15',
        ROW(1, 'one ✓'), '(1,2),(3,4)', '{{[1,3), [5,8)}}', '{{"1 day","02:00:00"}}', '{{"$1.50",NULL}}',
        '{{a,b}}', ARRAY['<a/>']::xml[], '{{"(1,2)"}}', '{{101,1}}', ARRAY['x:1'::tsvector], ARRAY[ROW(2, 'two')::{s}.pair])""",
    "INSERT INTO {s}.unknown (id) VALUES (2)",
    "UPDATE {s}.unknown SET lsn = '0/0' WHERE id = 1",
    # an unchanged TOASTed value of an unknown type (the placeholder in its binary shape)
    """INSERT INTO {s}.unknown (id, pr) VALUES (3, ROW(3, (SELECT string_agg(md5(i::text), '')
        FROM generate_series(1, 400) i))::{s}.pair)""",
    "UPDATE {s}.unknown SET lsn = '0/1' WHERE id = 3",
    "DELETE FROM {s}.unknown WHERE id = 2",
    # enum, domain arrays; NULL elements
    "INSERT INTO {s}.typed_arrays VALUES (1, '{{sad,happy}}', '{{1,2}}', '{{ab,cd}}', '{{Ab}}', '{{a.b}}', ARRAY['a=>1'::hstore])",
    """INSERT INTO {s}.typed_arrays VALUES (2, '{{NULL,ok}}', '{{NULL}}', '{{NULL,x}}', '{{NULL}}', '{{NULL}}', '{{NULL}}'),
        (3, '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}')""",
    "INSERT INTO {s}.typed_arrays (id) VALUES (4)",
    # UTF-8
    """INSERT INTO {s}."utf8_ñ_🚀" VALUES (2, 'naïve café — 日本語 🎉🚀 𝄞', 'ñ✓🎉', '{{"名前": ["é", "🚀", "\\ud83d\\ude80"]}}',
        '{{"emoji": "🎉", "ключ": {{"日本": "\\u00e9"}}}}', '{{"🚀",NULL,"é ü"}}')""",
    """UPDATE {s}."utf8_ñ_🚀" SET "名前" = '更新 ✓' WHERE id = 1""",
    """DELETE FROM {s}."utf8_ñ_🚀" WHERE id = 1""",
    # quoted identifiers
    """INSERT INTO "{S}"."Order Items" VALUES (2, 7, 'a')""",
    """UPDATE "{S}"."Order Items" SET "Qty" = 8 WHERE "Id" = 2""",
    """DELETE FROM "{S}"."Order Items" WHERE "Id" = 1""",
    # ~10 MB of incompressible text, then an update that leaves it unchanged (TOAST placeholder)
    "INSERT INTO {s}.huge VALUES (1, (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 320000) i), 1)",
    "UPDATE {s}.huge SET other = 2 WHERE id = 1",
    # 1,000 columns
    "INSERT INTO {s}.wide (id, c1, c2, c3, c4, c998, c999) VALUES (1, 'one', 2.5, true, 4, 998.25, false)",
    "UPDATE {s}.wide SET c500 = 500 WHERE id = 1",
    # truncate: op "t" where skipped.operations allows it
    "INSERT INTO {s}.truncated VALUES (1)",
    "TRUNCATE {s}.truncated",
    # a transaction with a replication origin (as a subscription or another origin-tracking replicator applies
    # it): pgoutput sends an Origin message; Debezium 3.5+ fills source.origin / origin_lsn from it
    "SELECT pg_replication_origin_create('origin_{s}')",
    "SELECT pg_replication_origin_session_setup('origin_{s}')",
    """BEGIN; SELECT pg_replication_origin_xact_setup('1/2345678', '2026-01-02 03:04:05.678+00');
        INSERT INTO {s}.origin_tx VALUES (1); SELECT pg_logical_emit_message(true, 'in-origin', 'o'); COMMIT""",
    "SELECT pg_replication_origin_session_reset()",
    "SELECT pg_replication_origin_drop('origin_{s}')",
    "INSERT INTO {s}.origin_tx VALUES (2)",
    # outbox: events written and deleted in one transaction (as applications do), an update (skipped with a
    # warning), a null and an empty-object payload, nested JSON with nulls and empty arrays, big numbers
    """BEGIN; INSERT INTO {s}.outbox VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a03', 'Order', 'o-2', 'OrderShipped',
        '{{"id": 2, "carrier": {{"name": "DHL", "eta": null}}, "tags": [], "weights": [1.5, 2.25], "big": 5000000000}}',
        3, now() AT TIME ZONE 'UTC');
        DELETE FROM {s}.outbox WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a03'; COMMIT""",
    """INSERT INTO {s}.outbox VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a04', 'Customer', 'c-1', 'CustomerDeleted',
        NULL, 4, NULL), ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a05', 'Order', 'o-1', 'OrderNoted', '{{}}', 5, NULL)""",
    "UPDATE {s}.outbox SET seq = 6 WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a05'",
]

# Written last: once both connectors published it, everything before it was published too.
DONE = "INSERT INTO {s}.zz_done VALUES (1)"

TABLES = ["numbers", "strings", "bits", "binary", "times", "misc", "ranges", "extras", "geo", "arrays", "ri_full",
          "ri_nothing", "ri_index", "nopk", "nopk_full", "toast", "toast_full", "toast_key", "md_arrays", "md_typed",
          "snapdiff", "composite", "pkchange", "evolve", "truncated",
          "msg_tx", "origin_tx", "keyed", "unknown", "typed_arrays", "utf8_ñ_🚀", "huge", "wide", "outbox", "zz_done"]
# Tables of the quoted schema {S}, by their topic suffix (Debezium replaces characters a topic name cannot have
# by '_'): the table and the check's label.
QUOTED_TABLES = ["Order_Items"]
# Topics that are not a table's: <prefix>.message (logical decoding messages) and <prefix>.transaction
# (provide.transaction.metadata).
OTHER_TOPICS = ["message", "transaction"]
