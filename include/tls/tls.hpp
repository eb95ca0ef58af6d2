// Umbrella header for cordon's TLS API: configurations, connections,
// certificates and trust, and the crypto provider interface.
#pragma once

#include "tls/alert.hpp"
#include "tls/certificate.hpp"
#include "tls/config.hpp"
#include "tls/connection.hpp"
#include "tls/crypto.hpp"
#include "tls/protocol.hpp"
#include "tls/result.hpp"
