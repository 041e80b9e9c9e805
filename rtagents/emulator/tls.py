"""TLS for the emulator, so that clients which insist on ``wss://`` can connect: a given
certificate, or a self-signed one made on the fly (needs ``rtagents[tls]``)."""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import ssl
import tempfile
import weakref
from pathlib import Path

from .._extras import require


def server_context(cert: str | Path, key: str | Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


def self_signed(host: str, owner: object = None) -> tuple[Path, Path]:
    """A certificate for ``host``, ``localhost`` and 127.0.0.1, valid for a day, and its key:
    PEM files in a new temporary folder. Trust the certificate in the client (for Node,
    ``NODE_EXTRA_CA_CERTS``; for Python, ``ssl.create_default_context(cafile=...)``). The
    folder (an unencrypted private key) goes when ``owner`` is freed, or at the latest when
    the process ends, unless ``removed`` took it first."""
    require("tls", "cryptography.x509", "a self-signed certificate")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rtagents emulator")])
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    for value in {host, "127.0.0.1", "::1"}:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(value)))
        except ValueError:
            names.append(x509.DNSName(value))
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="rtagents-tls-"))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    if owner is not None:
        weakref.finalize(owner, shutil.rmtree, folder, True)
    return cert_path, key_path


def removed(cert: Path) -> None:
    """The folder ``self_signed`` made for ``cert``, and its key, removed."""
    shutil.rmtree(cert.parent, ignore_errors=True)
