// Packet framing and encoding, over a socketpair.
#include <string>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "emulator/protocol/auth.h"
#include "emulator/protocol/wire.h"

namespace sk::emu::wire {
namespace {

class SocketPair : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  // Sends `payload` from one end on a thread and returns the raw bytes seen at the other end.
  std::string raw_bytes_of(const std::string& payload) {
    std::string raw;
    std::thread writer([&] {
      PacketChannel out(fds_[0]);
      ASSERT_TRUE(out.send_packet(payload));
      ::shutdown(fds_[0], SHUT_WR);
    });
    char buf[65536];
    ssize_t n = 0;
    while ((n = ::read(fds_[1], buf, sizeof(buf))) > 0) raw.append(buf, static_cast<size_t>(n));
    writer.join();
    return raw;
  }
  int fds_[2] = {-1, -1};
};

TEST_F(SocketPair, SmallPacketHasHeaderAndSequence) {
  EXPECT_EQ(raw_bytes_of("abc"), std::string("\x03\x00\x00\x00" "abc", 7));
}

TEST_F(SocketPair, PayloadOfExactlyOneChunkEndsWithAnEmptyPacket) {
  std::string raw = raw_bytes_of(std::string(kMaxPayloadChunk, 'a'));
  ASSERT_EQ(raw.size(), 4 + kMaxPayloadChunk + 4);
  EXPECT_EQ(raw.substr(0, 4), std::string("\xff\xff\xff\x00", 4));
  EXPECT_EQ(raw.substr(4 + kMaxPayloadChunk), std::string("\x00\x00\x00\x01", 4));
}

TEST_F(SocketPair, LargePayloadRoundTripsThroughSplitPackets) {
  std::string payload(kMaxPayloadChunk * 2 + 17, 'b');
  payload[kMaxPayloadChunk] = 'X';
  std::thread writer([&] {
    PacketChannel out(fds_[0]);
    ASSERT_TRUE(out.send_packet(payload));
    ASSERT_TRUE(out.send_packet("next"));
  });
  PacketChannel in(fds_[1]);
  auto got = in.read_packet();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, payload);
  auto next = in.read_packet();
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, "next");
  writer.join();
}

TEST_F(SocketPair, ClosedPeerIsAnError) {
  ::close(fds_[0]);
  fds_[0] = ::dup(fds_[1]);  // keep TearDown balanced
  PacketChannel in(fds_[1]);
  ::shutdown(fds_[1], SHUT_RD);
  auto got = in.read_packet();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, "proto.closed");
}

TEST(WireEncoding, LengthEncodedIntegersRoundTrip) {
  for (uint64_t v : {uint64_t{0}, uint64_t{250}, uint64_t{251}, uint64_t{65535}, uint64_t{65536},
                     uint64_t{16777215}, uint64_t{16777216}, uint64_t{1} << 40}) {
    Writer w;
    w.lenenc_int(v);
    Reader r(w.data());
    EXPECT_EQ(r.lenenc_int(), v);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.remaining(), 0u);
  }
  Writer w;
  w.lenenc_int(251);
  EXPECT_EQ(w.data(), std::string("\xfc\xfb\x00", 3));
}

TEST(WireEncoding, ReaderPastTheEndIsNotOk) {
  Reader r("ab");
  EXPECT_EQ(r.u16(), 0x6261);
  EXPECT_TRUE(r.ok());
  r.u8();
  EXPECT_FALSE(r.ok());
}

TEST(NativePassword, TokenVerifiesOnlyTheRightPassword) {
  std::string scramble = auth::make_scramble();
  ASSERT_EQ(scramble.size(), 20u);
  std::string token = auth::native_token("secret", scramble);
  EXPECT_EQ(token.size(), 20u);
  EXPECT_TRUE(auth::verify_native("secret", scramble, token));
  EXPECT_FALSE(auth::verify_native("Secret", scramble, token));
  EXPECT_FALSE(auth::verify_native("secret", auth::make_scramble(), token));
  EXPECT_TRUE(auth::verify_native("", scramble, ""));
  EXPECT_FALSE(auth::verify_native("", scramble, token));
}

}  // namespace
}  // namespace sk::emu::wire
