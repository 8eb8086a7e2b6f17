#include "core/sha256.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"

#include <openssl/evp.h>

#include <bit>
#include <vector>

namespace avf {

struct Sha256::Impl {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

namespace {

// The algorithm is fetched once: given EVP_sha256(), OpenSSL 3 fetches it again at every
// EVP_DigestInit_ex (a locked lookup that cost more than hashing a finding's id, measured in
// docs/benchmarks.md, "Recycled chunks"). Kept for the life of the process.
const EVP_MD* sha256_md() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return md;
}

} // namespace

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {
    const EVP_MD* md = sha256_md();
    if (!md || !m_impl->ctx || EVP_DigestInit_ex(m_impl->ctx.get(), md, nullptr) != 1) throw InternalError("OpenSSL: cannot initialise SHA-256");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Sha256& Sha256::update(const void* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(m_impl->ctx.get(), data, size) != 1) throw InternalError("OpenSSL: SHA-256 update failed");
    return *this;
}

Sha256& Sha256::field(std::string_view s) {
    field(static_cast<std::int64_t>(s.size()));
    return update(s);
}

Sha256& Sha256::field(std::int64_t v) {
    std::uint8_t b[8];
    auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(u >> (8 * i)); // little-endian, fixed
    return update(b, 8);
}

Sha256& Sha256::field(double v) {
    if (v == 0.0) v = 0.0; // -0.0 and 0.0 hash alike
    return field(static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(v)));
}

std::array<std::uint8_t, 32> Sha256::digest() {
    std::array<std::uint8_t, 32> out{};
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(m_impl->ctx.get(), out.data(), &n) != 1 || n != 32) throw InternalError("OpenSSL: SHA-256 final failed");
    return out;
}

std::string Sha256::hex() {
    auto d = digest();
    return to_hex(d.data(), d.size());
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        s[2 * i] = digits[data[i] >> 4];
        s[2 * i + 1] = digits[data[i] & 15];
    }
    return s;
}

std::string sha256_hex(std::string_view data) {
    return Sha256{}.update(data).hex();
}

std::string sha256_file(const std::string& path) {
    CheckedFile in(path); // every read checked: an I/O error is never hashed as the end of the file
    Sha256 h;
    std::vector<char> buf(1 << 20);
    while (true) {
        const std::size_t got = in.read(buf.data(), buf.size());
        h.update(buf.data(), got);
        if (got < buf.size()) break;
    }
    return h.hex();
}

} // namespace avf
