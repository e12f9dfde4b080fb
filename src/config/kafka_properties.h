// Kafka client properties: what users write under producer.* / producer.override.* / kafka.* (the Java
// client's names, as in a Debezium or Kafka Connect config, or librdkafka's) translated into the librdkafka
// configuration every Kafka client of sluice is built from (producer, offsets reader, transactional
// producer).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace sluice::config {

// One pass-through property: `key` as the user wrote it (e.g. producer.sasl.jaas.config), for messages.
struct KafkaProperty {
  std::string key;
  std::string value;
};

// Input: client property name (the part after the prefix) -> property. Output: librdkafka name -> value.
// Java-only names are mapped where librdkafka has an equivalent:
//   sasl.jaas.config (PlainLoginModule / ScramLoginModule username, password; Krb5LoginModule keyTab,
//     principal) -> sasl.username, sasl.password (sasl.kerberos.keytab, sasl.kerberos.principal);
//     PlainLoginModule implies sasl.mechanism=PLAIN when none is given
//   ssl.truststore.location / .certificates (PEM) -> ssl.ca.location / ssl.ca.pem
//   ssl.keystore.location (PEM: key and certificate chain in one file) -> ssl.certificate.location and
//     ssl.key.location; (PKCS12) -> ssl.keystore.location + ssl.keystore.password
//   ssl.keystore.certificate.chain / ssl.keystore.key (PEM) -> ssl.certificate.pem / ssl.key.pem
//   ssl.endpoint.identification.algorithm "" -> none; max.request.size -> message.max.bytes
// JKS stores, unknown login modules and invalid security.protocol / sasl.mechanism values are errors
// naming the key; Java-only tuning knobs librdkafka lacks (ssl.protocol, ssl.enabled.protocols, …) are
// dropped with a warning. Everything else passes through unchanged (librdkafka validates it).
Result<std::map<std::string, std::string>> to_librdkafka(const std::map<std::string, KafkaProperty>& props,
                                                         std::vector<std::string>& warnings);

}  // namespace sluice::config
