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
import os, socket, sys, threading, time

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
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def relay(client):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(SOCK)
    except OSError:
        client.close()
        upstream.close()
        return
    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream)
    back.join()
    client.close()
    upstream.close()


def serve(listener):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            time.sleep(0.05)
            continue
        threading.Thread(target=relay, args=(client,), daemon=True).start()


def main():
    port = int(sys.argv[1])
    argv = sys.argv[2:]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    child = os.fork()
    if child == 0:
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
    os.waitpid(child, 0)
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
