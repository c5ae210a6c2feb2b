// MySQL client/server wire format: little-endian integers, length-encoded values, and packet framing over a
// connected socket (4-byte header, payloads of 16 MiB - 1 or more split across several packets).
// Internal to sk_emu_protocol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sk::emu::wire {

// Largest payload one physical packet carries; longer payloads continue in the next packet.
inline constexpr size_t kMaxPayloadChunk = 0xffffff;

// Builds one packet payload. Never fails.
class Writer {
 public:
  Writer& u8(uint8_t v);
  Writer& u16(uint16_t v);
  Writer& u24(uint32_t v);
  Writer& u32(uint32_t v);
  Writer& lenenc_int(uint64_t v);
  Writer& lenenc_str(std::string_view s);
  Writer& bytes(std::string_view s);
  Writer& nul_str(std::string_view s);  // s followed by a 0 byte
  Writer& zeros(size_t n);
  [[nodiscard]] const std::string& data() const { return buf_; }
  [[nodiscard]] std::string take() { return std::move(buf_); }

 private:
  std::string buf_;
};

// Reads fields from one payload. Reading past the end sets ok() to false and yields zero / empty values, so a
// caller can parse a whole packet and check ok() once.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t lenenc_int();
  std::string_view fixed(size_t n);
  std::string_view lenenc_str();
  std::string_view nul_str();  // up to the next 0 byte (consumed); the rest when there is none
  std::string_view rest();
  [[nodiscard]] size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Packet framing over one connected socket. Not thread-safe; owned by one connection thread. Does not own the fd.
// Writes use MSG_NOSIGNAL, so a peer that went away yields an error instead of SIGPIPE.
class PacketChannel {
 public:
  explicit PacketChannel(int fd) : fd_(fd) {}

  // Reads one logical packet (joining split packets). Errors: "proto.closed" when the peer closed the connection
  // or the socket failed, "proto.too_large" over `max_size`.
  [[nodiscard]] Result<std::string> read_packet(size_t max_size = size_t{1} << 30);
  // Starts a new command: the next packet read is expected to carry sequence id 0.
  void reset_sequence() { seq_ = 0; }
  // Frames `payload` (split when needed) into the output buffer; flushes when the buffer grows large.
  [[nodiscard]] Status queue_packet(std::string_view payload);
  // Sends everything queued.
  [[nodiscard]] Status flush();
  [[nodiscard]] Status send_packet(std::string_view payload);

 private:
  [[nodiscard]] Status read_exact(char* out, size_t n);
  int fd_;
  uint8_t seq_ = 0;
  std::string out_;
};

}  // namespace sk::emu::wire
