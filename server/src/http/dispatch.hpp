#pragma once
// Routing, authentication and calling the handler, without any socket I/O.
#include "http/message.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace tessera::http {

// Fills request.params and request.principal. Never throws: a handler exception becomes a 500
// (logged with the request id).
Response Dispatch(const Router& router, const Authenticator& authenticate, Request& request);

}  // namespace tessera::http
