// Which part of a record a Kafka Connect $Key / $Value transform operates on.
#pragma once

namespace sluice::transform {

enum class Part { kKey, kValue };

}  // namespace sluice::transform
