"""The e-mail channel's receiver: SMTP or LMTP (the studio's mail server forwards the
support mailbox here); each message goes to the tickets service's ReceiveEmail."""
