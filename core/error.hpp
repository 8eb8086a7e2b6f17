// The error hierarchy for what ends a command (bad options, unreadable files, I/O failures).
// Expected defects in real data are not exceptions: they are Problems (core/problem.hpp).
//
// Every error carries its context, and the message is built from it once, here:
//
//   throw avf::InputError("ring not closed",
//                         avf::Context{}.file("zones.gpkg").layer("dmz").feature("812").record("K-17"));
//   // what(): "zones.gpkg, layer dmz, feature 812 (id=K-17): ring not closed"
//
// Each class maps to one documented exit code of the avf command (see README.md).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace avf {

/// Where something happened. Every field is optional; the message names those that are set.
class Context {
public:
    Context& file(std::string v) {
        m_file = std::move(v);
        return *this;
    }
    Context& layer(std::string v) {
        m_layer = std::move(v);
        return *this;
    }
    Context& feature(std::string v) {
        m_feature = std::move(v);
        return *this;
    }
    Context& record(std::string v) {
        m_record = std::move(v);
        return *this;
    }
    Context& line(long v) {
        m_line = v;
        return *this;
    }
    Context& column(long v) {
        m_column = v;
        return *this;
    }
    Context& field(std::string v) {
        m_field = std::move(v);
        return *this;
    }
    Context& value(std::string v) {
        m_value = std::move(v);
        return *this;
    }
    Context& expected(std::string v) {
        m_expected = std::move(v);
        return *this;
    }

    const std::string& file() const { return m_file; }
    const std::string& layer() const { return m_layer; }
    const std::string& feature() const { return m_feature; }
    const std::string& record() const { return m_record; }
    std::optional<long> line() const { return m_line; }
    std::optional<long> column() const { return m_column; }
    const std::string& field() const { return m_field; }
    const std::string& value() const { return m_value; }
    const std::string& expected() const { return m_expected; }

    /// "file, layer L, feature F (id=R), line N:C" — the location part of a message.
    std::string location() const;
    /// "field 'f' = 'v' (expected e)" — the detail part of a message.
    std::string detail() const;
    /// location + ": " + text + "; " + detail.
    std::string format(const std::string& text) const;

private:
    std::string m_file, m_layer, m_feature, m_record, m_field, m_value, m_expected;
    std::optional<long> m_line, m_column;
};

/// Base of every avf error. `what()` holds the full message with its context.
class Error : public std::runtime_error {
public:
    Error(const std::string& text, Context ctx = {}) : std::runtime_error(ctx.format(text)), m_text(text), m_context(std::move(ctx)) {}
    const std::string& text() const { return m_text; }
    const Context& context() const { return m_context; }
    /// The process exit code this error maps to.
    virtual int exit_code() const { return 70; }

private:
    std::string m_text;
    Context m_context;
};

/// Wrong command-line usage or option values (exit 2).
class UsageError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return 2; }
};

/// Input that cannot be used: a malformed regime, a file of the wrong format, a missing CRS,
/// or any problem when --strict is given (exit 3).
class InputError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return 3; }
};

/// Reading or writing failed: missing file, permission, disk full, a corrupt store (exit 4).
class IoError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return 4; }
};

/// A broken invariant inside avf: a bug, never caused by input (exit 70).
class InternalError : public Error {
public:
    using Error::Error;
};

} // namespace avf
