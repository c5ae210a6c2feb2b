#include "emulator/protocol/wire.h"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <sys/types.h>

namespace sk::emu::wire {

Writer& Writer::u8(uint8_t v) {
  buf_.push_back(static_cast<char>(v));
  return *this;
}
Writer& Writer::u16(uint16_t v) {
  u8(static_cast<uint8_t>(v & 0xff));
  return u8(static_cast<uint8_t>(v >> 8));
}
Writer& Writer::u24(uint32_t v) {
  u16(static_cast<uint16_t>(v & 0xffff));
  return u8(static_cast<uint8_t>((v >> 16) & 0xff));
}
Writer& Writer::u32(uint32_t v) {
  u16(static_cast<uint16_t>(v & 0xffff));
  return u16(static_cast<uint16_t>(v >> 16));
}
Writer& Writer::lenenc_int(uint64_t v) {
  if (v < 251) return u8(static_cast<uint8_t>(v));
  if (v < (1u << 16)) return u8(0xfc).u16(static_cast<uint16_t>(v));
  if (v < (1u << 24)) return u8(0xfd).u24(static_cast<uint32_t>(v));
  u8(0xfe).u32(static_cast<uint32_t>(v & 0xffffffffu));
  return u32(static_cast<uint32_t>(v >> 32));
}
Writer& Writer::lenenc_str(std::string_view s) {
  lenenc_int(s.size());
  return bytes(s);
}
Writer& Writer::bytes(std::string_view s) {
  buf_.append(s);
  return *this;
}
Writer& Writer::nul_str(std::string_view s) {
  bytes(s);
  return u8(0);
}
Writer& Writer::zeros(size_t n) {
  buf_.append(n, '\0');
  return *this;
}

uint8_t Reader::u8() {
  if (remaining() < 1) {
    ok_ = false;
    return 0;
  }
  return static_cast<uint8_t>(data_[pos_++]);
}
uint16_t Reader::u16() {
  uint16_t lo = u8();
  uint16_t hi = u8();
  return static_cast<uint16_t>(lo | (hi << 8));
}
uint32_t Reader::u32() {
  uint32_t lo = u16();
  uint32_t hi = u16();
  return lo | (hi << 16);
}
uint64_t Reader::lenenc_int() {
  uint8_t first = u8();
  if (first < 0xfb) return first;
  if (first == 0xfc) return u16();
  if (first == 0xfd) {
    uint32_t lo = u16();
    return lo | (uint32_t{u8()} << 16);
  }
  if (first == 0xfe) {
    uint64_t lo = u32();
    return lo | (uint64_t{u32()} << 32);
  }
  ok_ = false;  // 0xfb (NULL) and 0xff are not lengths
  return 0;
}
std::string_view Reader::fixed(size_t n) {
  if (remaining() < n) {
    ok_ = false;
    pos_ = data_.size();
    return {};
  }
  std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}
std::string_view Reader::lenenc_str() {
  uint64_t n = lenenc_int();
  if (!ok_) return {};
  return fixed(static_cast<size_t>(n));
}
std::string_view Reader::nul_str() {
  size_t end = data_.find('\0', pos_);
  if (end == std::string_view::npos) return rest();
  std::string_view out = data_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return out;
}
std::string_view Reader::rest() {
  std::string_view out = data_.substr(pos_);
  pos_ = data_.size();
  return out;
}

Status PacketChannel::read_exact(char* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd_, out + got, n - got, 0);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return fail("proto.closed", "client closed the connection");
    return fail("proto.closed", "recv failed: {}", std::strerror(errno));
  }
  return ok();
}

Result<std::string> PacketChannel::read_packet(size_t max_size) {
  std::string payload;
  while (true) {
    unsigned char header[4];
    if (auto s = read_exact(reinterpret_cast<char*>(header), 4); !s) return std::unexpected(s.error());
    size_t len = size_t{header[0]} | (size_t{header[1]} << 8) | (size_t{header[2]} << 16);
    seq_ = static_cast<uint8_t>(header[3] + 1);
    if (payload.size() + len > max_size) {
      return fail("proto.too_large", "packet larger than {} bytes", max_size);
    }
    size_t old = payload.size();
    payload.resize(old + len);
    if (auto s = read_exact(payload.data() + old, len); !s) return std::unexpected(s.error());
    if (len < kMaxPayloadChunk) return payload;
  }
}

Status PacketChannel::queue_packet(std::string_view payload) {
  size_t pos = 0;
  while (true) {
    size_t len = std::min(kMaxPayloadChunk, payload.size() - pos);
    out_.push_back(static_cast<char>(len & 0xff));
    out_.push_back(static_cast<char>((len >> 8) & 0xff));
    out_.push_back(static_cast<char>((len >> 16) & 0xff));
    out_.push_back(static_cast<char>(seq_++));
    out_.append(payload.substr(pos, len));
    pos += len;
    // A payload that is an exact multiple of the chunk size ends with an empty packet.
    if (len < kMaxPayloadChunk) break;
  }
  if (out_.size() >= (size_t{1} << 18)) return flush();
  return ok();
}

Status PacketChannel::flush() {
  size_t sent = 0;
  while (sent < out_.size()) {
    ssize_t r = ::send(fd_, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
    if (r > 0) {
      sent += static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    out_.clear();
    return fail("proto.closed", "send failed: {}", std::strerror(errno));
  }
  out_.clear();
  return ok();
}

Status PacketChannel::send_packet(std::string_view payload) {
  if (auto s = queue_packet(payload); !s) return s;
  return flush();
}

}  // namespace sk::emu::wire
