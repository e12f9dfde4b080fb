// tls_hint: libpq's TLS and pg_hba failure messages (as Postgres 15 and libpq 15 word them) get the
// database.ssl* setting to check; other failures get none.
#include "pg/connection.h"

#include <gtest/gtest.h>

namespace sluice::pg {
namespace {

TEST(TlsHint, NamesTheSettingForEachTlsFailure) {
  const std::pair<const char*, const char*> cases[] = {
      {"connection to server at \"127.0.0.1\", port 5432 failed: SSL error: certificate verify failed",
       "database.sslrootcert"},
      {"connection to server at \"127.0.0.2\", port 5432 failed: server certificate for \"localhost\" (and 1 "
       "other name) does not match host name \"127.0.0.2\"",
       "database.hostname"},
      {"connection to server at \"127.0.0.1\", port 5432 failed: root certificate file "
       "\"/root/.postgresql/root.crt\" does not exist\nEither provide the file or change sslmode to disable "
       "server certificate verification.",
       "database.sslrootcert"},
      {"connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  connection requires a valid client "
       "certificate",
       "database.sslcert"},
      {"connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  pg_hba.conf rejects connection for "
       "host "
       "\"127.0.0.1\", user \"u\", database \"d\", no encryption",
       "database.sslmode"},
      {"connection to server at \"127.0.0.1\", port 5432 failed: server does not support SSL, but SSL was "
       "required",
       "database.sslmode"},
      {"connection to server at \"127.0.0.1\", port 5432 failed: private key file \"/k.pem\" has group or "
       "world "
       "access; file must have permissions u=rw (0600) or less",
       "database.sslkey"},
      {"connection to server at \"127.0.0.1\", port 5432 failed: could not load private key file \"/k.pem\": "
       "bad decrypt",
       "database.sslpassword"},
  };
  for (auto [message, setting] : cases) {
    auto hint = tls_hint(message);
    EXPECT_NE(hint.find(setting), std::string::npos) << message << " -> " << hint;
  }
}

TEST(TlsHint, OtherFailuresGetNone) {
  EXPECT_EQ(tls_hint("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused"), "");
  EXPECT_EQ(
      tls_hint("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication "
               "failed for user \"u\""),
      "");
  // A connection cut in the middle of the TLS session is a network problem (transient), not a setting.
  EXPECT_EQ(tls_hint("SSL SYSCALL error: EOF detected"), "");
  EXPECT_EQ(tls_hint("SSL connection has been closed unexpectedly"), "");
}

}  // namespace
}  // namespace sluice::pg
