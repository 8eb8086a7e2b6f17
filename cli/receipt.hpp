// Receipts and signed heads for the commands that commit to a store (`avf zones import`, `avf
// run`, `avf audit sign`): the transparency-log idea of Certificate Transparency's signed tree
// heads. After each commit the analyst gets a small JSON receipt — store, what was committed, its
// chain row and head digest, the signature when signed, the time, the tool — to keep outside the
// store; `avf audit verify --expect-head DIGEST` or `--trusted-key PUB.pem` then proves the store
// was not rewritten behind it (docs/store-format.md §6a, docs/reliability.md).
//
//   ReceiptOptions opt{sign_key_path, receipt_path};
//   opt.prepare(store);                                 // before any work: key loaded, --receipt checked
//   ... commit ...
//   run_options.sign_key = opt.key ? &*opt.key : nullptr;         // signed in the committing transaction
//   issue_receipt(store, storage::ChainKind::run, run_id, opt);   // prints or writes the receipt
#pragma once

#include "cli/output.hpp"
#include "storage/signing.hpp"
#include "storage/store.hpp"

#include <memory>
#include <optional>
#include <string>

namespace avf::cli {

struct ReceiptOptions {
    std::string sign_key;                   ///< --sign-key: PEM Ed25519 private key ("" = do not sign)
    std::string receipt_path;               ///< --receipt: file to write ("" = print the receipt on stderr)
    std::optional<storage::SigningKey> key; ///< loaded by prepare()
    /// The --receipt file (cli/output.hpp), opened by prepare(): written whole at the end or not at all.
    std::shared_ptr<OutputFile> file;

    /// Loads the key and checks --receipt before the command does any work: an unreadable or
    /// wrong key fails at once (exit 4 or 3), and a receipt file that exists, or that is the
    /// store, is refused (exit 2) — receipts are never overwritten.
    void prepare(const std::string& store);
};

/// After `kind name` was committed to `store` (signed in its own transaction when a key was
/// given: RunOptions / pipeline::ZoneImportOptions::sign_key), prints the receipt on stderr
/// ("receipt: {...}") or writes it to the --receipt file, with the row's signature when signed.
void issue_receipt(const std::string& store, storage::ChainKind kind, const std::string& name, const ReceiptOptions& options);

/// Prints or writes the receipt of chain row `row` of `store` (with its signature when signed), as
/// issue_receipt does once it found the row; `what` names what was committed in its messages.
void emit_receipt(const std::string& store, const storage::ChainEntry& row, const std::optional<storage::SignatureRecord>& signature,
                  const ReceiptOptions& options, const std::string& what);

} // namespace avf::cli
