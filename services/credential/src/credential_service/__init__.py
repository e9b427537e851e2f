"""Credential service: hour ledgers, certificates, verification and revocation."""
