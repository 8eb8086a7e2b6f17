// Ed25519 keys for signing audit chain heads (docs/store-format.md §6a). A signature binds a
// chain row — its sequence and digest, hence the whole chain before it — to a key holder, so a
// consistent rewrite of the store's history (rows, commit records and chain recomputed) no longer
// passes `avf audit verify --trusted-key`. OpenSSL 3 is linked PRIVATE: no EVP type leaks.
//
//   auto key = avf::storage::SigningKey::from_pem_file("key.pem");   // openssl genpkey -algorithm ed25519
//   std::string sig = key.sign(avf::storage::head_message(5, digest, "2027-03-04T10:00:00Z"));
//   auto pub = avf::storage::PublicKey::from_pem_file("pub.pem");    // openssl pkey -pubout
//   pub.verify(message, sig);                                        // true / false
//
// Key files: PEM (PKCS#8 private key, SubjectPublicKeyInfo public key) as `openssl genpkey
// -algorithm ed25519` and `openssl pkey -pubout` write them. A file that cannot be read is an
// IoError; one that is not an Ed25519 key is an InputError naming the file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace avf::storage {

/// The exact bytes an Ed25519 signature of chain row `sequence` covers:
/// "avf audit chain head\nsequence <n>\ndigest <64 hex>\nsigned <ISO-8601 UTC>\n".
std::string head_message(std::uint64_t sequence, std::string_view head_digest, std::string_view signed_utc);

class PublicKey {
public:
    /// A PEM file holding an Ed25519 public key (or a private key, whose public half is taken).
    static PublicKey from_pem_file(const std::string& path);
    /// The raw 32-byte key as 64 hex characters (what /audit/signatures stores); InputError
    /// when it is not one.
    static PublicKey from_hex(std::string_view hex);
    ~PublicKey();
    PublicKey(PublicKey&&) noexcept;
    PublicKey& operator=(PublicKey&&) noexcept;

    /// SHA-256 (hex) of the DER SubjectPublicKeyInfo: `openssl pkey -pubin -in pub.pem -outform DER | sha256sum`.
    const std::string& fingerprint() const;
    /// The raw 32-byte key, hex.
    const std::string& hex() const;
    /// Whether `signature_hex` (128 hex characters) is this key's Ed25519 signature of `message`.
    bool verify(std::string_view message, std::string_view signature_hex) const;

private:
    struct Impl;
    explicit PublicKey(std::unique_ptr<Impl> impl);
    friend class SigningKey;
    std::unique_ptr<Impl> m_impl;
};

class SigningKey {
public:
    /// A PEM file holding an Ed25519 private key.
    static SigningKey from_pem_file(const std::string& path);
    ~SigningKey();
    SigningKey(SigningKey&&) noexcept;
    SigningKey& operator=(SigningKey&&) noexcept;

    const PublicKey& public_key() const;
    /// The Ed25519 signature of `message`, 128 hex characters (deterministic, RFC 8032).
    std::string sign(std::string_view message) const;

private:
    struct Impl;
    explicit SigningKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace avf::storage
