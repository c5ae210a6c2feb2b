// Byte-level checks of the handshake and commands with a minimal hand-written client.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "emulator/protocol/auth.h"
#include "emulator/protocol/server.h"
#include "emulator/protocol/wire.h"
#include "tests/emulator/protocol/fake_session.h"

namespace sk::emu::testing {
namespace {

constexpr uint32_t kClientCaps = 0x1 | 0x4 | 0x200 | 0x8000 | 0x80000 | 0x200000;

struct Handshake {
  uint8_t protocol = 0;
  std::string version;
  uint32_t connection_id = 0;
  std::string scramble;
  uint32_t capabilities = 0;
  uint8_t charset = 0;
  uint16_t status = 0;
  std::string plugin;
};

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    channel_ = std::make_unique<wire::PacketChannel>(fd_);
  }
  ~RawClient() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  wire::PacketChannel& channel() { return *channel_; }

  Handshake read_handshake() {
    Handshake h;
    auto p = channel_->read_packet();
    if (!p) return h;
    wire::Reader r(*p);
    h.protocol = r.u8();
    h.version = std::string(r.nul_str());
    h.connection_id = r.u32();
    h.scramble = std::string(r.fixed(8));
    r.u8();
    h.capabilities = r.u16();
    h.charset = r.u8();
    h.status = r.u16();
    h.capabilities |= uint32_t{r.u16()} << 16;
    uint8_t auth_len = r.u8();
    r.fixed(10);
    h.scramble += std::string(r.fixed(static_cast<size_t>(auth_len) - 9));
    r.u8();
    h.plugin = std::string(r.nul_str());
    return h;
  }

  // Sends a protocol-4.1 handshake response.
  bool send_response(const std::string& user, const std::string& token, const std::string& plugin,
                     uint32_t caps = kClientCaps) {
    wire::Writer w;
    w.u32(caps).u32(1 << 24).u8(33).zeros(23).nul_str(user).lenenc_str(token).nul_str(plugin);
    return channel_->send_packet(w.data()).has_value();
  }

  // Logs in with mysql_native_password; returns the server's reply packet.
  std::string login(const std::string& user, const std::string& password) {
    Handshake h = read_handshake();
    send_response(user, auth::native_token(password, h.scramble), "mysql_native_password");
    auto p = channel_->read_packet();
    return p ? *p : std::string();
  }

  std::string command(std::string payload) {
    channel_->reset_sequence();
    if (!channel_->send_packet(payload)) return {};
    auto p = channel_->read_packet(size_t{1} << 30);
    return p ? *p : std::string();
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::unique_ptr<wire::PacketChannel> channel_;
};

class RawProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(ServerOptions{}, factory_);
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().describe();
    port_ = *port;
  }

  size_t wait_open_connections(size_t n) {
    for (int i = 0; i < 500 && server_->open_connections() != n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return server_->open_connections();
  }

  FakeSessionFactory factory_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(RawProtocolTest, HandshakeLooksLikeStarRocksFe) {
  RawClient c(port_);
  ASSERT_TRUE(c.connected());
  Handshake h = c.read_handshake();
  EXPECT_EQ(h.protocol, 10);
  EXPECT_EQ(h.version, "5.1.0");
  EXPECT_GT(h.connection_id, 0u);
  ASSERT_EQ(h.scramble.size(), 20u);
  EXPECT_EQ(h.scramble.find('\0'), std::string::npos);
  EXPECT_EQ(h.charset, 33);
  EXPECT_EQ(h.plugin, "mysql_native_password");
  constexpr uint32_t kExpected = 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000 | 0x100000 | 0x200000;
  EXPECT_EQ(h.capabilities, kExpected);
  EXPECT_EQ(h.capabilities & 0x10000, 0u) << "no CLIENT_MULTI_STATEMENTS";
  EXPECT_EQ(h.capabilities & 0x1000000, 0u) << "no CLIENT_DEPRECATE_EOF";
  EXPECT_EQ(h.capabilities & 0x800, 0u) << "no CLIENT_SSL";

  RawClient d(port_);
  Handshake h2 = d.read_handshake();
  EXPECT_NE(h2.connection_id, h.connection_id);
  EXPECT_NE(h2.scramble, h.scramble);
}

TEST_F(RawProtocolTest, ServerVersionComesFromOptions) {
  Server other(ServerOptions{"127.0.0.1", 0, "5.7.99-test"}, factory_);
  auto port = other.start();
  ASSERT_TRUE(port);
  RawClient c(*port);
  EXPECT_EQ(c.read_handshake().version, "5.7.99-test");
}

TEST_F(RawProtocolTest, SslRequestIsRefusedWithAnError) {
  RawClient c(port_);
  c.read_handshake();
  wire::Writer w;
  w.u32(kClientCaps | 0x800).u32(1 << 24).u8(33).zeros(23);
  ASSERT_TRUE(c.channel().send_packet(w.data()));
  auto p = c.channel().read_packet();
  ASSERT_TRUE(p);
  ASSERT_FALSE(p->empty());
  EXPECT_EQ(static_cast<uint8_t>((*p)[0]), 0xff);
  EXPECT_EQ(wait_open_connections(0), 0u);
}

TEST_F(RawProtocolTest, AuthSwitchToNativePassword) {
  RawClient c(port_);
  Handshake h = c.read_handshake();
  ASSERT_TRUE(c.send_response("sk", std::string(32, 'z'), "client_ed25519"));
  auto sw = c.channel().read_packet();
  ASSERT_TRUE(sw);
  wire::Reader r(*sw);
  EXPECT_EQ(r.u8(), 0xfe);
  EXPECT_EQ(r.nul_str(), "mysql_native_password");
  std::string scramble(r.fixed(20));
  EXPECT_EQ(r.u8(), 0);
  EXPECT_EQ(r.remaining(), 0u);
  ASSERT_TRUE(c.channel().send_packet(auth::native_token("secret", scramble)));
  auto ok = c.channel().read_packet();
  ASSERT_TRUE(ok);
  EXPECT_EQ(static_cast<uint8_t>((*ok)[0]), 0x00);
  EXPECT_TRUE(factory_.saw("open:sk:"));
}

TEST_F(RawProtocolTest, AuthSwitchWithWrongReplyIsDenied) {
  RawClient c(port_);
  c.read_handshake();
  ASSERT_TRUE(c.send_response("sk", "", "caching_sha2_password"));
  auto sw = c.channel().read_packet();
  ASSERT_TRUE(sw);
  ASSERT_TRUE(c.channel().send_packet(auth::native_token("nope", sw->substr(23, 20))));
  auto err = c.channel().read_packet();
  ASSERT_TRUE(err);
  wire::Reader r(*err);
  EXPECT_EQ(r.u8(), 0xff);
  EXPECT_EQ(r.u16(), 1045);
  EXPECT_EQ(r.rest(), "#28000Access denied for user 'sk'@'127.0.0.1' (using password: YES)");
}

TEST_F(RawProtocolTest, CommandsPingFieldListUnknownAndQuit) {
  RawClient c(port_);
  std::string ok = c.login("root", "");
  ASSERT_FALSE(ok.empty());
  EXPECT_EQ(static_cast<uint8_t>(ok[0]), 0x00);

  EXPECT_EQ(static_cast<uint8_t>(c.command("\x0e")[0]), 0x00);  // COM_PING
  EXPECT_TRUE(factory_.saw("ping"));
  EXPECT_EQ(static_cast<uint8_t>(c.command(std::string("\x04t\0", 3))[0]), 0xfe);  // COM_FIELD_LIST
  EXPECT_EQ(static_cast<uint8_t>(c.command("\x02sales")[0]), 0x00);                    // COM_INIT_DB
  EXPECT_TRUE(factory_.saw("use:sales"));
  std::string unknown_db = c.command("\x02missing");
  wire::Reader ur(unknown_db);
  EXPECT_EQ(ur.u8(), 0xff);
  EXPECT_EQ(ur.u16(), 1049);
  EXPECT_EQ(ur.rest(), "#42000Unknown database 'missing'");

  for (std::string cmd : {std::string("\x16SELECT 1"), std::string("\x09")}) {  // COM_STMT_PREPARE, COM_STATISTICS
    std::string err = c.command(cmd);
    wire::Reader r(err);
    EXPECT_EQ(r.u8(), 0xff);
    EXPECT_EQ(r.u16(), 1047);
    EXPECT_EQ(r.rest(), "#08S01Unknown command");
  }
  // Still usable, then COM_QUIT closes the connection.
  std::string rows = c.command("\x03SELECT rows");
  EXPECT_EQ(static_cast<uint8_t>(rows[0]), 3);  // column count
  int eofs = 0;
  while (eofs < 2) {  // column definitions, EOF, rows, EOF
    auto p = c.channel().read_packet();
    ASSERT_TRUE(p);
    if (static_cast<uint8_t>((*p)[0]) == 0xfe && p->size() < 9) ++eofs;
  }
  c.channel().reset_sequence();
  ASSERT_TRUE(c.channel().send_packet("\x01"));
  EXPECT_FALSE(c.channel().read_packet());
}

TEST_F(RawProtocolTest, QueryLargerThanOnePacketIsReassembled) {
  RawClient c(port_);
  ASSERT_EQ(static_cast<uint8_t>(c.login("root", "")[0]), 0x00);
  const size_t n = (size_t{16} << 20) + 1234;
  c.channel().reset_sequence();
  ASSERT_TRUE(c.channel().send_packet("\x03SELECT echo_len " + std::string(n, 'q')));
  // column count, column def, EOF, row, EOF
  auto count = c.channel().read_packet();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, std::string("\x01"));
  ASSERT_TRUE(c.channel().read_packet());
  ASSERT_TRUE(c.channel().read_packet());
  auto row = c.channel().read_packet();
  ASSERT_TRUE(row);
  wire::Reader r(*row);
  EXPECT_EQ(r.lenenc_str(), std::to_string(n));
}

TEST_F(RawProtocolTest, ClientsThatDisconnectMidPacketAreCleanedUp) {
  {
    RawClient c(port_);
    c.read_handshake();
    ASSERT_EQ(::send(c.fd(), "\x40\x00\x00\x01\x05\x00", 6, 0), 6);  // header promises 64 bytes, sends 2
  }
  {
    RawClient c(port_);
    ASSERT_EQ(static_cast<uint8_t>(c.login("root", "")[0]), 0x00);
    ASSERT_EQ(::send(c.fd(), "\x00\x01", 2, 0), 2);  // half a header
  }
  {
    RawClient c(port_);
    ASSERT_EQ(static_cast<uint8_t>(c.login("root", "")[0]), 0x00);
    c.channel().reset_sequence();
    ASSERT_TRUE(c.channel().send_packet("\x03SELECT many 200000"));
    // Close without reading the (large) result.
  }
  EXPECT_EQ(wait_open_connections(0), 0u);
  RawClient c(port_);
  EXPECT_EQ(static_cast<uint8_t>(c.login("sk", "secret")[0]), 0x00);
}

}  // namespace
}  // namespace sk::emu::testing
