// Umbrella header for cordon's crypto provider interface.
#pragma once

#include "tls/crypto/aead.hpp"
#include "tls/crypto/algorithms.hpp"
#include "tls/crypto/cipher.hpp"
#include "tls/crypto/hash.hpp"
#include "tls/crypto/key_exchange.hpp"
#include "tls/crypto/pbkdf2.hpp"
#include "tls/crypto/provider.hpp"
#include "tls/crypto/rng.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/crypto/signature.hpp"
#include "tls/crypto/self_test.hpp"
