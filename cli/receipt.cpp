#include "cli/receipt.hpp"

#include "core/error.hpp"
#include "core/time.hpp"
#include "core/version.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>

namespace avf::cli {
namespace {

std::string utc_now() {
    return format_utc(UtcTime{std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()});
}

nlohmann::json receipt_json(const std::string& store, const storage::ChainEntry& row, const std::optional<storage::SignatureRecord>& signature) {
    nlohmann::json j = {{"receipt", "avf audit chain head"},
                        {"store", store},
                        {"kind", std::string(storage::to_string(row.kind))},
                        {row.kind == storage::ChainKind::run ? "run_id" : "zone_set", row.name},
                        {"sequence", row.sequence},
                        {"head_digest", row.digest},
                        {"content_digest", row.content_digest},
                        {"time", utc_now()},
                        {"tool_version", std::string(tool_name) + " " + tool_version + " (git " + git_commit + ")"},
                        {"signature", nullptr}};
    if (signature)
        j["signature"] = {{"signed_utc", signature->signed_utc},
                          {"key_fingerprint", signature->key_fingerprint},
                          {"public_key", signature->public_key},
                          {"ed25519", signature->signature}};
    return j;
}

} // namespace

void ReceiptOptions::prepare(const std::string& store) {
    if (!receipt_path.empty()) {
        std::error_code ec;
        if (std::filesystem::symlink_status(receipt_path, ec).type() != std::filesystem::file_type::not_found)
            throw UsageError("--receipt " + receipt_path + " exists; receipts are never overwritten: choose a new file name");
        // Refuses the store itself (same device and inode) and reserves the temporary file now.
        file = std::make_shared<OutputFile>(receipt_path, false, std::vector<std::string>{store});
    }
    if (!sign_key.empty()) key.emplace(storage::SigningKey::from_pem_file(sign_key));
}

void issue_receipt(const std::string& store, storage::ChainKind kind, const std::string& name, const ReceiptOptions& options) {
    const std::string what = std::string(kind == storage::ChainKind::run ? "run " : "zone set ") + name;
    // The row, and its signature when a key was given: signed in the transaction that committed it.
    storage::StoreReader reader(store);
    std::optional<storage::ChainEntry> row;
    for (const auto& e : reader.chain())
        if (e.kind == kind && e.name == name) row = e;
    if (!row) throw InternalError(what + " has no row in the audit chain after its commit");
    std::optional<storage::SignatureRecord> signature;
    if (options.key) {
        for (const auto& s : reader.signatures())
            if (s.sequence == row->sequence && s.key_fingerprint == options.key->public_key().fingerprint()) signature = s;
        if (!signature) throw InternalError(what + " was committed without the signature its transaction was given");
    }
    emit_receipt(store, *row, signature, options, what);
}

void emit_receipt(const std::string& store, const storage::ChainEntry& row, const std::optional<storage::SignatureRecord>& signature,
                  const ReceiptOptions& options, const std::string& what) {
    const nlohmann::json receipt = receipt_json(store, row, signature);
    if (!options.file) {
        std::cerr << "receipt: " << receipt.dump() << "\n";
        return;
    }
    try {
        options.file->stream() << receipt.dump(2) << "\n";
        options.file->commit();
    } catch (const IoError& e) {
        // The commit stands; the receipt must not be lost with the error.
        std::cerr << "receipt: " << receipt.dump() << "\n";
        throw IoError(what + " is committed, but its receipt could not be written (" + e.what() + "); it is printed above",
                      Context{}.file(options.receipt_path));
    }
    std::cerr << "Wrote the receipt of " << what << " (chain row " << receipt["sequence"].get<std::uint64_t>() << ") to " << options.receipt_path
              << "\n";
}

} // namespace avf::cli
