// Start-up check of the TLS files with OpenSSL; see tls.hpp.
#include "plugnode/runtime/tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <cstring>
#include <memory>

namespace plugnode::runtime {
namespace {

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct store_free {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct store_ctx_free {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

std::string openssl_reason() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "not PEM";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

int passphrase_callback(char* buffer, int size, int, void* user) {
  auto* passphrase = static_cast<const std::string*>(user);
  auto length = std::min<int>(size, static_cast<int>(passphrase->size()));
  std::memcpy(buffer, passphrase->data(), static_cast<std::size_t>(length));
  return length;
}

} // namespace

std::optional<std::string> check_tls_files(const tls_files& files) {
  if (files.certificate.empty() || files.key.empty() || files.ca.empty())
    return std::string("TLS needs PLUGNODE_TLS_CERT, PLUGNODE_TLS_KEY and PLUGNODE_TLS_CA together");
  file_ptr cert_file(std::fopen(files.certificate.c_str(), "r"));
  if (!cert_file)
    return "PLUGNODE_TLS_CERT: cannot read " + files.certificate;
  std::unique_ptr<X509, x509_free> cert(PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr));
  if (!cert)
    return "PLUGNODE_TLS_CERT: " + files.certificate + " holds no PEM certificate (" + openssl_reason() + ")";
  file_ptr key_file(std::fopen(files.key.c_str(), "r"));
  if (!key_file)
    return "PLUGNODE_TLS_KEY: cannot read " + files.key;
  std::string passphrase = files.passphrase;
  std::unique_ptr<EVP_PKEY, pkey_free> key(
      PEM_read_PrivateKey(key_file.get(), nullptr, passphrase_callback, &passphrase));
  if (!key)
    return "PLUGNODE_TLS_KEY: cannot open the key in " + files.key +
           " (wrong passphrase or not a PEM key: " + openssl_reason() + ")";
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return "PLUGNODE_TLS_KEY: the key in " + files.key + " does not match the certificate in " +
           files.certificate;
  }
  std::unique_ptr<X509_STORE, store_free> store(X509_STORE_new());
  if (X509_STORE_load_locations(store.get(), files.ca.c_str(), nullptr) != 1)
    return "PLUGNODE_TLS_CA: cannot load CA certificates from " + files.ca + " (" + openssl_reason() + ")";
  std::unique_ptr<X509_STORE_CTX, store_ctx_free> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  if (X509_verify_cert(ctx.get()) != 1) {
    auto why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    return "PLUGNODE_TLS_CERT: " + files.certificate + " is not signed by the CA in " + files.ca + " (" +
           why + ")";
  }
  return std::nullopt;
}

} // namespace plugnode::runtime
