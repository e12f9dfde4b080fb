// Java Kafka client names -> librdkafka names (see kafka_properties.h). The JAAS syntax follows Kafka's
// org.apache.kafka.common.security.JaasConfig: `<LoginModule class> <flag> key="value" …;`.
#include "config/kafka_properties.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

#include "config/text.h"

namespace sluice::config {

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

struct Jaas {
  std::string module;
  std::map<std::string, std::string> options;
};

// Parses one login module entry. Errors describe the problem without echoing the value (it holds a
// password).
Result<Jaas> parse_jaas(const std::string& key, const std::string& text) {
  auto fail = [&](std::string_view what) {
    return Error::fatal(fmt::format(
        "invalid value for {}: {} (expected: <LoginModule class> required username=\"…\" password=\"…\";)",
        key, what));
  };
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  auto word = [&] {
    size_t b = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != ';' &&
           text[i] != '=' && text[i] != '"')
      ++i;
    return text.substr(b, i - b);
  };
  Jaas j;
  skip_space();
  j.module = word();
  if (j.module.empty()) return fail("no login module class");
  skip_space();
  auto flag = lower(word());
  if (flag != "required" && flag != "requisite" && flag != "sufficient" && flag != "optional") {
    return fail("the login module class must be followed by a flag (required)");
  }
  for (;;) {
    skip_space();
    if (i >= text.size()) return fail("missing the closing ';'");
    if (text[i] == ';') {
      ++i;
      skip_space();
      if (i != text.size()) return fail("only one login module may be given");
      return j;
    }
    auto name = word();
    skip_space();
    if (name.empty() || i >= text.size() || text[i] != '=') return fail("options must be name=value");
    ++i;
    skip_space();
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '\\' && i < text.size()) {
          value.push_back(text[i++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return fail(fmt::format("the value of option {} lacks its closing quote", name));
    } else {
      value = word();
    }
    j.options[name] = value;
  }
}

enum class StoreType { kPem, kPkcs12, kJks };

// The store's type: as configured, else recognised by its first bytes (Java's default type is JKS).
Result<StoreType> store_type(const std::string& type_key, const std::string& type,
                             const std::string& path_key, const std::string& path) {
  if (!type.empty()) {
    auto t = upper(type);
    if (t == "PEM") return StoreType::kPem;
    if (t == "PKCS12") return StoreType::kPkcs12;
    if (t == "JKS") return StoreType::kJks;
    return invalid(type_key, type, "PEM, PKCS12, JKS");
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return invalid(path_key, path, "a readable file");
  std::string head(4096, '\0');
  f.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(f.gcount()));
  if (head.find("-----BEGIN") != std::string::npos) return StoreType::kPem;
  if (head.size() >= 4 && static_cast<unsigned char>(head[0]) == 0xFE &&
      static_cast<unsigned char>(head[1]) == 0xED && static_cast<unsigned char>(head[2]) == 0xFE &&
      static_cast<unsigned char>(head[3]) == 0xED)
    return StoreType::kJks;
  return StoreType::kPkcs12;
}

// Java-only settings librdkafka has no equivalent for; OpenSSL's defaults apply.
const std::set<std::string> kJavaOnly = {
    "ssl.protocol",
    "ssl.enabled.protocols",
    "ssl.keymanager.algorithm",
    "ssl.provider",
    "ssl.trustmanager.algorithm",
    "ssl.secure.random.implementation",
    "ssl.engine.factory.class",
    "sasl.login.class",
    "sasl.client.callback.handler.class",
    "sasl.login.callback.handler.class",
};

// sasl.jaas.config: the login module's options as librdkafka's sasl.* properties.
template <typename Put>
Status map_jaas_config(const KafkaProperty& p, std::map<std::string, std::string>& out, Put& put) {
  auto jaas = parse_jaas(p.key, p.value);
  if (!jaas) return jaas.error();
  const std::string& m = jaas->module;
  auto option = [&](const std::string& opt) -> Result<std::string> {
    auto it = jaas->options.find(opt);
    if (it == jaas->options.end() || it->second.empty()) {
      return Error::fatal(fmt::format("invalid value for {}: {} needs the option {}", p.key, m, opt));
    }
    return it->second;
  };
  bool plain = m == "org.apache.kafka.common.security.plain.PlainLoginModule";
  bool scram = m == "org.apache.kafka.common.security.scram.ScramLoginModule";
  if (plain || scram) {
    auto user = option("username");
    if (!user) return user.error();
    auto password = option("password");
    if (!password) return password.error();
    if (auto s = put("sasl.username", *user, p.key); !s) return s.error();
    if (auto s = put("sasl.password", *password, p.key); !s) return s.error();
    auto mech = out.find("sasl.mechanism");
    if (mech == out.end()) {
      if (scram) {
        return Error::fatal(
            fmt::format("{} uses ScramLoginModule: set sasl.mechanism (under the same prefix) to "
                        "SCRAM-SHA-256 or SCRAM-SHA-512",
                        p.key));
      }
      out["sasl.mechanism"] = "PLAIN";
    } else if ((plain && mech->second != "PLAIN") || (scram && !mech->second.starts_with("SCRAM-"))) {
      return Error::fatal(fmt::format("{} uses {}, which does not match sasl.mechanism={}", p.key,
                                      plain ? "PlainLoginModule" : "ScramLoginModule", mech->second));
    }
  } else if (m == "com.sun.security.auth.module.Krb5LoginModule") {
    if (auto it = jaas->options.find("keyTab"); it != jaas->options.end()) {
      if (auto s = put("sasl.kerberos.keytab", it->second, p.key); !s) return s.error();
    }
    if (auto it = jaas->options.find("principal"); it != jaas->options.end()) {
      if (auto s = put("sasl.kerberos.principal", it->second, p.key); !s) return s.error();
    }
  } else {
    return Error::fatal(
        fmt::format("invalid value for {}: login module {} is not supported (allowed: "
                    "org.apache.kafka.common.security.plain.PlainLoginModule, "
                    "org.apache.kafka.common.security.scram.ScramLoginModule, "
                    "com.sun.security.auth.module.Krb5LoginModule; "
                    "or set librdkafka's sasl.* properties directly)",
                    p.key, m));
  }
  return ok_status();
}

}  // namespace

Result<std::map<std::string, std::string>> to_librdkafka(const std::map<std::string, KafkaProperty>& props,
                                                         std::vector<std::string>& warnings) {
  std::map<std::string, std::string> out;
  std::map<std::string, std::string> origin;  // librdkafka name -> the user's key that set it
  auto get = [&](const std::string& name) -> const KafkaProperty* {
    auto it = props.find(name);
    return it == props.end() ? nullptr : &it->second;
  };
  auto put = [&](const std::string& name, const std::string& value, const std::string& from) -> Status {
    auto [it, inserted] = origin.emplace(name, from);
    if (!inserted && out[name] != value) {
      return Error::fatal(
          fmt::format("{} and {} both set the Kafka client's {}: set only one", it->second, from, name));
    }
    out[name] = value;
    return ok_status();
  };
  static const std::set<std::string> kHandled = {
      "security.protocol",       "sasl.mechanism",
      "sasl.mechanisms",         "sasl.jaas.config",
      "ssl.truststore.location", "ssl.truststore.type",
      "ssl.truststore.password", "ssl.truststore.certificates",
      "ssl.keystore.location",   "ssl.keystore.type",
      "ssl.keystore.password",   "ssl.keystore.certificate.chain",
      "ssl.keystore.key",        "ssl.endpoint.identification.algorithm",
      "max.request.size",
  };
  for (const auto& [name, p] : props) {
    if (kHandled.count(name)) continue;
    if (kJavaOnly.count(name)) {
      warnings.push_back(
          fmt::format("{} is a Java client setting librdkafka has no equivalent for (ignored)", p.key));
      continue;
    }
    if (auto s = put(name, p.value, p.key); !s) return s.error();
  }

  if (const auto* p = get("max.request.size")) {  // the Java producer's name for the largest request
    if (auto s = put("message.max.bytes", p->value, p->key); !s) return s.error();
  }
  if (const auto* p = get("security.protocol")) {
    auto v = lower(p->value);
    if (v != "plaintext" && v != "ssl" && v != "sasl_plaintext" && v != "sasl_ssl") {
      return invalid(p->key, p->value, "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
    }
    if (auto s = put("security.protocol", v, p->key); !s) return s.error();
  }
  for (const char* name : {"sasl.mechanism", "sasl.mechanisms"}) {
    if (const auto* p = get(name)) {
      auto v = upper(p->value);
      if (v != "PLAIN" && v != "SCRAM-SHA-256" && v != "SCRAM-SHA-512" && v != "GSSAPI" &&
          v != "OAUTHBEARER") {
        return invalid(p->key, p->value, "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, GSSAPI, OAUTHBEARER");
      }
      if (auto s = put("sasl.mechanism", v, p->key); !s) return s.error();
    }
  }
  if (const auto* p = get("sasl.jaas.config")) {
    if (auto s = map_jaas_config(*p, out, put); !s) return s.error();
  }

  // Trust store: the CA certificates that verify the brokers.
  const auto* ts_type = get("ssl.truststore.type");
  if (const auto* p = get("ssl.truststore.location")) {
    auto t = store_type(ts_type ? ts_type->key : "ssl.truststore.type", ts_type ? ts_type->value : "", p->key,
                        p->value);
    if (!t) return t.error();
    if (*t != StoreType::kPem) {
      return Error::fatal(fmt::format(
          "{}: '{}' is a {} trust store; librdkafka reads PEM only: export the CA certificates (keytool "
          "-exportcert -rfc -keystore … > ca.pem) and set ssl.truststore.type=PEM",
          p->key, p->value, *t == StoreType::kJks ? "JKS" : "PKCS12"));
    }
    if (auto s = put("ssl.ca.location", p->value, p->key); !s) return s.error();
  } else if (ts_type && upper(ts_type->value) != "PEM" && !get("ssl.truststore.certificates")) {
    return invalid(ts_type->key, ts_type->value, "PEM (librdkafka reads PEM trust stores only)");
  }
  if (const auto* p = get("ssl.truststore.certificates")) {
    if (auto s = put("ssl.ca.pem", p->value, p->key); !s) return s.error();
  }
  if (const auto* p = get("ssl.truststore.password")) {
    warnings.push_back(fmt::format("{} is ignored (a PEM trust store has no password)", p->key));
  }

  // Key store: the client's certificate and private key (mutual TLS).
  const auto* ks_type = get("ssl.keystore.type");
  if (const auto* p = get("ssl.keystore.location")) {
    auto t = store_type(ks_type ? ks_type->key : "ssl.keystore.type", ks_type ? ks_type->value : "", p->key,
                        p->value);
    if (!t) return t.error();
    if (*t == StoreType::kJks) {
      return Error::fatal(fmt::format(
          "{}: '{}' is a JKS key store; librdkafka reads PEM or PKCS12: convert it (keytool -importkeystore "
          "-deststoretype PKCS12 …) and set ssl.keystore.type",
          p->key, p->value));
    }
    if (*t == StoreType::kPem) {
      // Kafka's PEM key store holds the private key and the certificate chain in one file.
      if (auto s = put("ssl.certificate.location", p->value, p->key); !s) return s.error();
      if (auto s = put("ssl.key.location", p->value, p->key); !s) return s.error();
      if (const auto* pw = get("ssl.keystore.password")) {
        warnings.push_back(fmt::format(
            "{} is ignored for a PEM key store (an encrypted key's password is ssl.key.password)", pw->key));
      }
    } else {
      if (auto s = put("ssl.keystore.location", p->value, p->key); !s) return s.error();
      if (const auto* pw = get("ssl.keystore.password")) {
        if (auto s = put("ssl.keystore.password", pw->value, pw->key); !s) return s.error();
      }
    }
  } else if (const auto* pw = get("ssl.keystore.password")) {
    warnings.push_back(fmt::format("{} is ignored without ssl.keystore.location", pw->key));
  }
  if (const auto* p = get("ssl.keystore.certificate.chain")) {
    if (auto s = put("ssl.certificate.pem", p->value, p->key); !s) return s.error();
  }
  if (const auto* p = get("ssl.keystore.key")) {
    if (auto s = put("ssl.key.pem", p->value, p->key); !s) return s.error();
  }
  if (const auto* p = get("ssl.endpoint.identification.algorithm")) {
    auto v = lower(p->value);
    if (v.empty() || v == "none") {
      v = "none";
    } else if (v != "https") {
      return invalid(p->key, p->value, "https, or empty (none) to skip the broker host name check");
    }
    if (auto s = put("ssl.endpoint.identification.algorithm", v, p->key); !s) return s.error();
  }
  return out;
}

}  // namespace sluice::config
