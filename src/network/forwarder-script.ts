/**
 * The only network a proxied sandbox has: a tiny forwarder inside the container (stdlib Python)
 * that listens on 127.0.0.1:PORT and relays every connection to saferun's proxy socket, which
 * the host mounts read-only. It starts before the program: it binds, detaches (the program gets
 * no extra child to wait for), then execs the program. If the program kills it, the program only
 * cuts itself off; the host side still decides everything.
 */

/** Where the per-run directory (socket + this script) appears inside the container. */
export const CONTAINER_NET_DIR = '/saferun/net';
export const PROXY_SOCKET_NAME = 'proxy.sock';
export const FORWARDER_NAME = 'forward.py';
/** The forwarder's port inside the container (loopback only). */
export const FORWARDER_PORT = 3128;

export const FORWARDER_SOURCE = `# saferun: relays 127.0.0.1:PORT to the proxy socket, then runs the program.
# Only built-in modules (_socket, _thread, posix): it costs one bare interpreter start.
import _socket, _thread, os, sys, time

SOCK = os.path.join(os.path.dirname(os.path.abspath(__file__)), ${JSON.stringify(PROXY_SOCKET_NAME)})


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(_socket.SHUT_WR)
    except OSError:
        pass


def relay(client):
    upstream = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        upstream.connect(SOCK)
    except OSError:
        client.close()
        upstream.close()
        return
    done = _thread.allocate_lock()
    done.acquire()

    def back():
        pump(upstream, client)
        done.release()

    _thread.start_new_thread(back, ())
    pump(client, upstream)
    done.acquire()
    client.close()
    upstream.close()


def serve(listener):
    while True:
        try:
            fd, _ = listener._accept()
        except OSError:
            time.sleep(0.05)
            continue
        _thread.start_new_thread(relay, (_socket.socket(fileno=fd),))


def main():
    port = int(sys.argv[1])
    argv = sys.argv[2:]
    listener = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    listener.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    # Detach twice so that the forwarder is nobody's child but init's: the program gets no extra
    # child to wait for. The program is not held up by the detaching: the short-lived middle
    # process is left to exit on its own.
    if os.fork() == 0:
        if os.fork() != 0:
            os._exit(0)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        try:
            serve(listener)
        finally:
            os._exit(0)
    listener.close()
    os.execvp(argv[0], argv)


main()
`;

/** The command that starts the forwarder, then the program. */
export function forwarderCommand(program: readonly string[]): string[] {
  return ['python3', '-I', '-S', `${CONTAINER_NET_DIR}/${FORWARDER_NAME}`, String(FORWARDER_PORT), ...program];
}

/** What points the program's HTTP clients (and pip) at the forwarder. */
export function proxyEnvironment(): Record<string, string> {
  const url = `http://127.0.0.1:${FORWARDER_PORT}`;
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    ALL_PROXY: url,
    all_proxy: url,
    NO_PROXY: 'localhost,127.0.0.1,::1',
    no_proxy: 'localhost,127.0.0.1,::1',
    PIP_PROXY: url,
  };
}
