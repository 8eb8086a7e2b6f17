#include "storage/signing.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace avf::storage {
namespace {

struct KeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
struct MdDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdDeleter>;
struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

/// The text of OpenSSL's last error (the queue is cleared).
std::string openssl_error() {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) {
        return "no detail from OpenSSL";
    }
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

Key read_pem(const std::string& path, bool private_key) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) {
        throw IoError(std::string("cannot open the key file: ") + std::strerror(errno), Context{}.file(path));
    }
    EVP_PKEY* raw = private_key ? PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!private_key) {
        raw = PEM_read_PUBKEY(file.get(), nullptr, nullptr, nullptr);
        if (!raw) { // a private key file names its public key too
            ERR_clear_error();
            std::rewind(file.get());
            raw = PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr);
        }
    }
    if (std::ferror(file.get())) {
        throw IoError("cannot read the key file", Context{}.file(path));
    }
    Key key(raw);
    if (!key) {
        throw InputError(std::string("not a PEM ") + (private_key ? "private" : "public") + " key (" + openssl_error() +
                             "); make one with `openssl genpkey -algorithm ed25519 -out key.pem` and `openssl pkey -in key.pem -pubout -out pub.pem`",
                         Context{}.file(path));
    }
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
        throw InputError("the key is not an Ed25519 key (avf signs chain heads with Ed25519 only)", Context{}.file(path));
    }
    return key;
}

std::vector<unsigned char> from_hex(std::string_view hex) {
    std::vector<unsigned char> out;
    if (hex.size() % 2 != 0) {
        return out;
    }
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return {};
        }
        out.push_back(static_cast<unsigned char>(hi * 16 + lo));
    }
    return out;
}

} // namespace

std::string head_message(std::uint64_t sequence, std::string_view head_digest, std::string_view signed_utc) {
    return "avf audit chain head\nsequence " + std::to_string(sequence) + "\ndigest " + std::string(head_digest) + "\nsigned " +
           std::string(signed_utc) + "\n";
}

// ---------------------------------------------------------------------------------------------
// PublicKey

struct PublicKey::Impl {
    Key key;
    std::string hex, fingerprint;

    explicit Impl(Key k) : key(std::move(k)) {
        unsigned char raw[32];
        std::size_t size = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(key.get(), raw, &size) != 1 || size != sizeof raw) {
            throw InternalError("cannot read an Ed25519 public key: " + openssl_error());
        }
        hex = to_hex(raw, size);
        unsigned char* der = nullptr;
        int length = i2d_PUBKEY(key.get(), &der);
        if (length <= 0) {
            throw InternalError("cannot encode an Ed25519 public key: " + openssl_error());
        }
        fingerprint = sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
        OPENSSL_free(der);
    }
};

PublicKey::PublicKey(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PublicKey::~PublicKey() = default;
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;

PublicKey PublicKey::from_pem_file(const std::string& path) {
    Key key = read_pem(path, false);
    // Keep only the public half, whatever the file held.
    unsigned char raw[32];
    std::size_t size = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key.get(), raw, &size) != 1) {
        throw InputError("cannot read the Ed25519 public key (" + openssl_error() + ")", Context{}.file(path));
    }
    return from_hex(to_hex(raw, size));
}

PublicKey PublicKey::from_hex(std::string_view hex) {
    std::vector<unsigned char> raw = storage::from_hex(hex);
    if (raw.size() != 32) {
        throw InputError("'" + std::string(hex) + "' is not an Ed25519 public key (64 lowercase hex characters)");
    }
    Key key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
    if (!key) {
        throw InputError("'" + std::string(hex) + "' is not an Ed25519 public key (" + openssl_error() + ")");
    }
    return PublicKey(std::make_unique<Impl>(std::move(key)));
}

const std::string& PublicKey::fingerprint() const {
    return m_impl->fingerprint;
}
const std::string& PublicKey::hex() const {
    return m_impl->hex;
}

bool PublicKey::verify(std::string_view message, std::string_view signature_hex) const {
    std::vector<unsigned char> signature = storage::from_hex(signature_hex);
    if (signature.size() != 64) {
        return false;
    }
    MdContext ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, m_impl->key.get()) != 1) {
        throw InternalError("cannot set up Ed25519 verification: " + openssl_error());
    }
    int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), reinterpret_cast<const unsigned char*>(message.data()), message.size());
    ERR_clear_error();
    return rc == 1;
}

// ---------------------------------------------------------------------------------------------
// SigningKey

struct SigningKey::Impl {
    Impl(Key k, PublicKey p) : key(std::move(k)), public_key(std::move(p)) {}
    Key key;
    PublicKey public_key;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

SigningKey SigningKey::from_pem_file(const std::string& path) {
    Key key = read_pem(path, true);
    unsigned char raw[32];
    std::size_t size = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key.get(), raw, &size) != 1) {
        throw InputError("cannot read the key's public half (" + openssl_error() + ")", Context{}.file(path));
    }
    PublicKey pub = PublicKey::from_hex(to_hex(raw, size));
    return SigningKey(std::make_unique<Impl>(std::move(key), std::move(pub)));
}

const PublicKey& SigningKey::public_key() const {
    return m_impl->public_key;
}

std::string SigningKey::sign(std::string_view message) const {
    MdContext ctx(EVP_MD_CTX_new());
    // Ed25519 hashes internally: no digest is given (NULL md), and the message goes in one call.
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_impl->key.get()) != 1) {
        throw InternalError("cannot set up Ed25519 signing: " + openssl_error());
    }
    unsigned char signature[64];
    std::size_t size = sizeof signature;
    if (EVP_DigestSign(ctx.get(), signature, &size, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 || size != 64) {
        throw InternalError("Ed25519 signing failed: " + openssl_error());
    }
    return to_hex(signature, size);
}

} // namespace avf::storage
