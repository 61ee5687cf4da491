// tls: the files for mutual TLS on the distribution port, and their check at start-up. libcaf_openssl fails
// late and badly on bad files (a wrong passphrase aborts the process at the first incoming connection, a key
// that does not match the certificate hangs it), so the node checks them with OpenSSL first and refuses to
// start with a clear message instead.
#pragma once

#include <optional>
#include <string>

namespace plugnode::runtime {

struct tls_files {
  std::string certificate; // PEM certificate of this node (PLUGNODE_TLS_CERT)
  std::string key;         // PEM private key (PLUGNODE_TLS_KEY)
  std::string ca;          // PEM CA certificate(s) that sign every node (PLUGNODE_TLS_CA)
  std::string passphrase;  // for an encrypted key; empty for none

  bool enabled() const { return !certificate.empty() || !key.empty() || !ca.empty(); }
};

// nullopt when the files are usable: all three given and readable, the key opens (with the passphrase) and
// matches the certificate, and the CA verifies the certificate. Otherwise a one-line reason naming the file.
std::optional<std::string> check_tls_files(const tls_files& files);

} // namespace plugnode::runtime
