// SHA-256, the one digest avf uses for content ids, input provenance and the audit chain.
// A thin wrapper over OpenSSL's EVP interface (linked PRIVATE; no OpenSSL type leaks).
//
//   avf::Sha256 h; h.update("abc"); h.hex();      // "ba7816bf…"
//   avf::sha256_file("zones.gpkg");               // hex digest of a whole file (throws IoError)
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace avf {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;

    Sha256& update(const void* data, std::size_t size);
    Sha256& update(std::string_view s) { return update(s.data(), s.size()); }
    /// Appends a length-prefixed string, so that ("ab","c") and ("a","bc") hash differently.
    Sha256& field(std::string_view s);
    Sha256& field(std::int64_t v);
    Sha256& field(double v);

    /// Finishes the digest (the object cannot be updated afterwards).
    std::array<std::uint8_t, 32> digest();
    std::string hex();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

std::string to_hex(const std::uint8_t* data, std::size_t size);
std::string sha256_hex(std::string_view data);
/// Hex digest of a file's bytes; throws IoError naming the path when it cannot be read.
std::string sha256_file(const std::string& path);

} // namespace avf
