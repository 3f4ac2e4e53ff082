#!/usr/bin/python3
"""smtp_sink.py -- a real SMTP server on loopback for the mail tests.

usage: smtp_sink.py FOLDER PORT_FILE [accept|refuse] [PORT]

Listens on 127.0.0.1 (on PORT, or a free port), writes the port to
PORT_FILE once it accepts connections, and writes each message it accepts
to FOLDER/N.eml (written whole, then renamed, so that a reader never sees
half a message), its envelope first as X-Envelope-From / X-Envelope-To
lines. With "refuse" every recipient is refused with 550. Stops on SIGTERM.
"""
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, refuse):
        self.folder = folder
        self.refuse = refuse
        self.n = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable (refused by the test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        tmp = os.path.join(self.folder, ".%d.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-From: %s\r\n" % envelope.mail_from.encode())
            f.write(b"X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos).encode())
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.folder, "%d.eml" % n))
        return "250 OK queued as %d" % n


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    folder, port_file = sys.argv[1], sys.argv[2]
    refuse = len(sys.argv) > 3 and sys.argv[3] == "refuse"
    port = int(sys.argv[4]) if len(sys.argv) > 4 else free_port()
    controller = Controller(Sink(folder, refuse), hostname="127.0.0.1", port=port)
    controller.start()
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(port_file + ".tmp", port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
