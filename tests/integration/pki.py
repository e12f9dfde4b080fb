"""Test certificates made with openssl: a CA, a server certificate for localhost/127.0.0.1, a client
certificate (CN certuser) and an unrelated CA."""
import subprocess
from pathlib import Path


def openssl(*args):
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


class Pki:
    """A CA, a server certificate (localhost, 127.0.0.1), a client certificate (CN certuser), another CA."""

    EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def __init__(self, d: Path):
        self.dir = d
        self.ca, self.ca_key = self._ca("ca", "sluice test CA")
        self.other_ca, _ = self._ca("other-ca", "unrelated CA")
        self.server, self.server_key = self._leaf(
            "server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        self.client, self.client_key = self._leaf("client", "certuser", "extendedKeyUsage=clientAuth\n")
        self.client_key.chmod(0o600)  # libpq refuses a key others may read

    def _ca(self, name, cn):
        key, crt = self.dir / f"{name}.key", self.dir / f"{name}.pem"
        openssl("req", "-x509", *self.EC, "-keyout", key, "-out", crt, "-days", "2", "-subj", f"/CN={cn}")
        return crt, key

    def _leaf(self, name, cn, extensions):
        key, csr, crt, ext = (self.dir / f"{name}{s}" for s in (".key", ".csr", ".pem", ".ext"))
        ext.write_text(extensions)
        openssl("req", "-new", *self.EC, "-keyout", key, "-out", csr, "-subj", f"/CN={cn}")
        openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key, "-CAcreateserial", "-days", "2",
                "-out", crt, "-extfile", ext)
        return crt, key
