// One client connection's protocol state machine: handshake, authentication (with AuthSwitchRequest to
// mysql_native_password), then the command loop that forwards to a Session. Internal to sk_emu_protocol.
#pragma once

#include <cstdint>
#include <string>

#include "emulator/protocol/handler.h"
#include "emulator/protocol/server.h"

namespace sk::emu {

// Runs the protocol on a connected socket until the client quits or the socket fails. Does not close `fd`
// (the Server owns it). Runs on one thread; the factory is shared.
void serve_connection(int fd, uint32_t connection_id, const std::string& peer_host, const ServerOptions& options,
                      SessionFactory& factory);

}  // namespace sk::emu
