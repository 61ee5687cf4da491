// A workaround for libcaf_openssl 0.17: OpenSSL requires the thread's error queue to be empty before each
// TLS I/O call, or SSL_get_error reports a stale error. CAF's session code drains the queue only inside its
// log statements, which Debian's build compiles out, so one failed TLS handshake (a peer with a foreign CA)
// left an error behind and the next ordinary read on a healthy connection of the same thread failed: the
// healthy peer was dropped ("connection closed"). These definitions interpose the four calls CAF makes
// (the executable's symbols win over libssl's for every shared library), clear the queue, and call libssl.
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class F> F real(const char* name) {
  static_assert(sizeof(F) == sizeof(void*));
  void* symbol = ::dlsym(RTLD_NEXT, name);
  F fn = nullptr;
  __builtin_memcpy(&fn, &symbol, sizeof fn);
  return fn;
}

} // namespace

namespace plugnode::runtime::detail {
// Referenced from node.cpp so this object file is always linked in.
bool openssl_error_queue_fix = true;
} // namespace plugnode::runtime::detail

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto fn = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return fn(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto fn = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return fn(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  static auto fn = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return fn(ssl);
}

int SSL_accept(SSL* ssl) {
  static auto fn = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return fn(ssl);
}

} // extern "C"
