#include "emulator/protocol/connection.h"

#include <exception>
#include <optional>
#include <string_view>
#include <utility>

#include "emulator/protocol/auth.h"
#include "emulator/protocol/wire.h"

namespace sk::emu {
namespace {

// Capability flags (MySQL protocol).
constexpr uint32_t kLongPassword = 0x1;
constexpr uint32_t kLongFlag = 0x4;
constexpr uint32_t kConnectWithDb = 0x8;
constexpr uint32_t kProtocol41 = 0x200;
constexpr uint32_t kSsl = 0x800;
constexpr uint32_t kTransactions = 0x2000;
constexpr uint32_t kSecureConnection = 0x8000;
constexpr uint32_t kPluginAuth = 0x80000;
constexpr uint32_t kConnectAttrs = 0x100000;
constexpr uint32_t kPluginAuthLenencData = 0x200000;

// What a StarRocks FE announces (reference §7): no MULTI_STATEMENTS, no DEPRECATE_EOF, no SSL.
constexpr uint32_t kServerCapabilities = kLongPassword | kLongFlag | kConnectWithDb | kProtocol41 | kTransactions |
                                         kSecureConnection | kPluginAuth | kConnectAttrs | kPluginAuthLenencData;

constexpr uint8_t kCharsetUtf8GeneralCi = 33;
constexpr uint16_t kHandshakeStatus = 0;     // StarRocks sends 0 in the handshake
constexpr uint16_t kStatusAutocommit = 0x2;  // in OK / EOF packets

// Command bytes.
constexpr uint8_t kComQuit = 0x01;
constexpr uint8_t kComInitDb = 0x02;
constexpr uint8_t kComQuery = 0x03;
constexpr uint8_t kComFieldList = 0x04;
constexpr uint8_t kComPing = 0x0e;

std::string ok_packet(uint64_t affected, uint64_t last_id, std::string_view info) {
  wire::Writer w;
  w.u8(0x00).lenenc_int(affected).lenenc_int(last_id).u16(kStatusAutocommit).u16(0);
  if (!info.empty()) w.bytes(info);
  return w.take();
}

std::string eof_packet() {
  wire::Writer w;
  w.u8(0xfe).u16(0).u16(kStatusAutocommit);
  return w.take();
}

std::string err_packet(const ErrorResult& e) {
  wire::Writer w;
  std::string state = e.sql_state;
  state.resize(5, '0');
  w.u8(0xff).u16(e.code).u8('#').bytes(state).bytes(e.message);
  return w.take();
}

// Display length and decimals the column definition announces for each type.
std::pair<uint32_t, uint8_t> length_and_decimals(ColumnType t) {
  switch (t) {
    case ColumnType::kLongLong:
      return {20, 0};
    case ColumnType::kDouble:
      return {22, 31};
    case ColumnType::kDateTime:
      return {26, 0};
    case ColumnType::kNewDecimal:
      return {40, 9};
    case ColumnType::kVarString:
      break;
  }
  return {65533, 31};
}

std::string column_definition(const Column& c) {
  auto [length, decimals] = length_and_decimals(c.type);
  wire::Writer w;
  w.lenenc_str("def").lenenc_str("").lenenc_str("").lenenc_str("").lenenc_str(c.name).lenenc_str(c.name);
  w.lenenc_int(0x0c).u16(kCharsetUtf8GeneralCi).u32(length).u8(static_cast<uint8_t>(c.type)).u16(0).u8(decimals);
  w.u16(0);
  return w.take();
}

ErrorResult access_denied(std::string_view user, std::string_view host, bool used_password) {
  return ErrorResult{1045, "28000",
                     fmt::format("Access denied for user '{}'@'{}' (using password: {})", user, host,
                                 used_password ? "YES" : "NO")};
}

class ConnectionHandler {
 public:
  ConnectionHandler(int fd, uint32_t id, const std::string& peer, const ServerOptions& options,
                    SessionFactory& factory)
      : channel_(fd), id_(id), peer_(peer), options_(options), factory_(factory) {}

  void run() {
    std::optional<std::unique_ptr<Session>> session;
    try {
      session = handshake();
    } catch (const std::exception& e) {
      // password_of / open / use_database threw: refuse this client, keep the server.
      (void)send_error(ErrorResult{1064, "HY000", fmt::format("Unexpected exception: {}", e.what())});
      return;
    }
    if (!session) return;
    command_loop(**session);
  }

 private:
  // Returns the session when authentication succeeded and the OK was sent; nullopt when the connection ends.
  std::optional<std::unique_ptr<Session>> handshake() {
    std::string scramble = auth::make_scramble();
    wire::Writer hs;
    hs.u8(10).nul_str(options_.server_version).u32(id_).bytes(scramble.substr(0, 8)).u8(0);
    hs.u16(static_cast<uint16_t>(kServerCapabilities & 0xffff)).u8(kCharsetUtf8GeneralCi).u16(kHandshakeStatus);
    hs.u16(static_cast<uint16_t>(kServerCapabilities >> 16)).u8(auth::kScrambleLength + 1).zeros(10);
    hs.nul_str(scramble.substr(8)).nul_str(auth::kNativePlugin);
    if (!channel_.send_packet(hs.data())) return std::nullopt;

    auto response = channel_.read_packet(size_t{1} << 20);
    if (!response) return std::nullopt;
    wire::Reader r(*response);
    uint32_t client_caps = r.u32();
    if (!(client_caps & kProtocol41)) {
      send_error(ErrorResult{1043, "08S01", "Bad handshake: the client does not support protocol 4.1"});
      return std::nullopt;
    }
    r.u32();  // max packet size
    r.u8();   // charset
    r.fixed(23);
    if ((client_caps & kSsl) && r.remaining() == 0) {
      // An SSLRequest: this server announced no SSL; refuse instead of starting TLS.
      send_error(ErrorResult{1045, "08S01", "SSL connection is not supported by this server"});
      return std::nullopt;
    }
    std::string user(r.nul_str());
    std::string token;
    if (client_caps & kPluginAuthLenencData) {
      token = std::string(r.lenenc_str());
    } else if (client_caps & kSecureConnection) {
      token = std::string(r.fixed(r.u8()));
    } else {
      token = std::string(r.nul_str());
    }
    std::string database;
    if ((client_caps & kConnectWithDb) && r.remaining() > 0) database = std::string(r.nul_str());
    std::string plugin;
    if ((client_caps & kPluginAuth) && r.remaining() > 0) plugin = std::string(r.nul_str());
    if (!r.ok()) {
      send_error(ErrorResult{1043, "08S01", "Bad handshake"});
      return std::nullopt;
    }

    std::optional<std::string> password = factory_.password_of(user);
    bool authenticated = false;
    if (plugin.empty() || plugin == auth::kNativePlugin) {
      authenticated = password && auth::verify_native(*password, scramble, token);
    } else {
      // Any other plugin (caching_sha2_password, client_ed25519, ...): switch the client to mysql_native_password.
      scramble = auth::make_scramble();
      wire::Writer sw;
      sw.u8(0xfe).nul_str(auth::kNativePlugin).bytes(scramble).u8(0);
      if (!channel_.send_packet(sw.data())) return std::nullopt;
      auto reply = channel_.read_packet(1024);
      if (!reply) return std::nullopt;
      token = *reply;
      authenticated = password && auth::verify_native(*password, scramble, token);
    }
    if (!authenticated) {
      send_error(access_denied(user, peer_, !token.empty()));
      return std::nullopt;
    }

    std::unique_ptr<Session> session = factory_.open(user, database);
    if (!session) {
      send_error(access_denied(user, peer_, !token.empty()));
      return std::nullopt;
    }
    if (!database.empty()) {
      if (auto err = session->use_database(database)) {
        send_error(*err);
        return std::nullopt;
      }
    }
    if (!channel_.send_packet(ok_packet(0, 0, ""))) return std::nullopt;
    return session;
  }

  void command_loop(Session& session) {
    while (true) {
      channel_.reset_sequence();
      auto packet = channel_.read_packet();
      if (!packet) {
        if (packet.error().code == "proto.too_large") {
          send_error(ErrorResult{1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes"});
        }
        return;
      }
      if (packet->empty()) return;
      uint8_t command = static_cast<uint8_t>((*packet)[0]);
      std::string_view arg = std::string_view(*packet).substr(1);
      if (command == kComQuit) return;
      if (!dispatch(session, command, arg)) return;
    }
  }

  // Answers one command. A Session that throws gets the exception text back as an ERR packet, as the FE does
  // for unexpected exceptions, instead of terminating the whole emulator.
  Status dispatch(Session& session, uint8_t command, std::string_view arg) {
    try {
      return answer(session, command, arg);
    } catch (const std::exception& e) {
      return send_error(ErrorResult{1064, "HY000", fmt::format("Unexpected exception: {}", e.what())});
    }
  }

  Status answer(Session& session, uint8_t command, std::string_view arg) {
    switch (command) {
      case kComQuery:
        return send_query_result(session.query(arg));
      case kComInitDb:
        return send_optional_error(session.use_database(arg));
      case kComPing:
        return send_optional_error(session.ping());
      case kComFieldList:
        return channel_.send_packet(eof_packet());
      default:
        // COM_STMT_PREPARE and everything else: StarRocks 3.1 and older reject them.
        return send_error(ErrorResult{1047, "08S01", "Unknown command"});
    }
  }

  Status send_error(const ErrorResult& e) { return channel_.send_packet(err_packet(e)); }

  Status send_optional_error(const std::optional<ErrorResult>& e) {
    if (e) return send_error(*e);
    return channel_.send_packet(ok_packet(0, 0, ""));
  }

  Status send_query_result(const QueryResult& result) {
    if (const auto* ok = std::get_if<OkResult>(&result)) {
      return channel_.send_packet(ok_packet(ok->affected_rows, ok->last_insert_id, ok->info));
    }
    if (const auto* err = std::get_if<ErrorResult>(&result)) return send_error(*err);
    const auto& rs = std::get<ResultSet>(result);
    if (rs.columns.empty()) return channel_.send_packet(ok_packet(0, 0, ""));
    wire::Writer count;
    count.lenenc_int(rs.columns.size());
    if (auto s = channel_.queue_packet(count.data()); !s) return s;
    for (const Column& c : rs.columns) {
      if (auto s = channel_.queue_packet(column_definition(c)); !s) return s;
    }
    if (auto s = channel_.queue_packet(eof_packet()); !s) return s;
    for (const auto& row : rs.rows) {
      wire::Writer w;
      for (size_t i = 0; i < rs.columns.size(); ++i) {
        if (i < row.size() && row[i]) {
          w.lenenc_str(*row[i]);
        } else {
          w.u8(0xfb);  // NULL (also for a row shorter than the column list)
        }
      }
      if (auto s = channel_.queue_packet(w.data()); !s) return s;
    }
    if (auto s = channel_.queue_packet(eof_packet()); !s) return s;
    return channel_.flush();
  }

  wire::PacketChannel channel_;
  uint32_t id_;
  std::string peer_;
  const ServerOptions& options_;
  SessionFactory& factory_;
};

}  // namespace

void serve_connection(int fd, uint32_t connection_id, const std::string& peer_host, const ServerOptions& options,
                      SessionFactory& factory) {
  ConnectionHandler(fd, connection_id, peer_host, options, factory).run();
}

}  // namespace sk::emu
