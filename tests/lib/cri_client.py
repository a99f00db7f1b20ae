"""A small CRI client (runtime.v1) for tests/engines/cri, as kubelet would call containerd.

usage: cri_client.py GENERATED_DIR SOCKET COMMAND ARG...
  version
  run-pod NAME HANDLER LOG_DIR [K=V...]      -> {"id": ...}  (K=V: the pod's annotations)
  create POD_ID POD_NAME LOG_DIR NAME IMAGE MEMORY_BYTES [OPTION...] -- ARG...    -> {"id": ...}
     OPTION: K=V (env), --annotation=K=V (the container's), --pod-annotation=K=V (as run-pod's;
     kubelet sends the pod's config again, and containerd reads the pod's annotations from it)
  start ID | stop ID | remove ID | stop-pod POD_ID | remove-pod POD_ID
  status ID                                  -> ContainerStatus (proto field names)
  wait-exited ID SECONDS                     -> ContainerStatus once it has exited
  exec-sync ID SECONDS ARG...                -> {"exit_code": N, "stdout": ..., "stderr": ...}
  list-pods                                  -> [{"id", "state"}, ...]
  image-status IMAGE                         -> {"id": ..., "repo_tags": [...]}, {} if unknown

GENERATED_DIR holds api_pb2.py, which `protoc --python_out` makes from tests/engines/cri-api/api.proto.
Each call is grpcio's generic unary call on the method's path (no generated stubs: Debian 12 has no
grpc_tools). An RPC error is printed on stderr as "CODE: details" (containerd's message, with the
runtime's error in it) and the exit status is 1.
"""
import json
import sys
import time

import grpc
from google.protobuf import json_format

CALL_TIMEOUT_S = 60


def main(argv):
    sys.path.insert(0, argv[1])
    import api_pb2 as cri  # noqa: E402  (generated at test time)

    channel = grpc.insecure_channel("unix://" + argv[2])
    command, args = argv[3], argv[4:]

    def call(service, method, request):
        response_type = getattr(cri, method + "Response")
        rpc = channel.unary_unary(
            f"/runtime.v1.{service}/{method}",
            request_serializer=type(request).SerializeToString,
            response_deserializer=response_type.FromString,
        )
        return rpc(request, timeout=CALL_TIMEOUT_S)

    def runtime(method, **fields):
        return call("RuntimeService", method, getattr(cri, method + "Request")(**fields))

    def as_dict(message):
        return json_format.MessageToDict(message, preserving_proto_field_name=True)

    # Host network: the pod needs no CNI plugin (containerd 1.6 makes a network namespace and calls
    # CNI only for a pod outside the node's network, pkg/cri/server/sandbox_run.go), and it has the
    # node's UTS namespace too, so no hostname (runc refuses to set one there).
    def pod_config(name, log_dir, annotations):
        node_namespaces = cri.NamespaceOption(network=cri.NODE)
        return cri.PodSandboxConfig(
            metadata=cri.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="nodeguard-test"),
            log_directory=log_dir,
            annotations=annotations,
            linux=cri.LinuxPodSandboxConfig(
                security_context=cri.LinuxSandboxSecurityContext(namespace_options=node_namespaces)
            ),
        )

    def split_key_value(text):
        key, _, value = text.partition("=")
        return key, value

    def key_values(texts):
        return dict(map(split_key_value, texts))

    def container_status(container_id):
        return runtime("ContainerStatus", container_id=container_id).status

    if command == "version":
        out = as_dict(runtime("Version", version="v1"))
    elif command == "run-pod":
        name, handler, log_dir = args[:3]
        config = pod_config(name, log_dir, key_values(args[3:]))
        reply = runtime("RunPodSandbox", config=config, runtime_handler=handler)
        out = {"id": reply.pod_sandbox_id}
    elif command == "create":
        pod_id, pod_name, log_dir, name, image, memory = args[:6]
        rest = args[6:]
        split = rest.index("--")
        options = {"": [], "--annotation=": [], "--pod-annotation=": []}
        for option in rest[:split]:
            prefix = next((p for p in options if p and option.startswith(p)), "")
            options[prefix].append(option[len(prefix) :])
        envs = [cri.KeyValue(key=k, value=v) for k, v in map(split_key_value, options[""])]
        config = cri.ContainerConfig(
            metadata=cri.ContainerMetadata(name=name),
            image=cri.ImageSpec(image=image),
            command=rest[split + 1 :],
            envs=envs,
            annotations=key_values(options["--annotation="]),
            log_path=name + ".log",
            linux=cri.LinuxContainerConfig(
                resources=cri.LinuxContainerResources(memory_limit_in_bytes=int(memory)),
                security_context=cri.LinuxContainerSecurityContext(
                    namespace_options=cri.NamespaceOption(network=cri.NODE)
                ),
            ),
        )
        reply = runtime(
            "CreateContainer",
            pod_sandbox_id=pod_id,
            config=config,
            sandbox_config=pod_config(pod_name, log_dir, key_values(options["--pod-annotation="])),
        )
        out = {"id": reply.container_id}
    elif command in ("start", "remove"):
        runtime(command.capitalize() + "Container", container_id=args[0])
        out = {}
    elif command == "stop":
        runtime("StopContainer", container_id=args[0], timeout=10)
        out = {}
    elif command in ("stop-pod", "remove-pod"):
        method = "StopPodSandbox" if command == "stop-pod" else "RemovePodSandbox"
        runtime(method, pod_sandbox_id=args[0])
        out = {}
    elif command == "status":
        out = as_dict(container_status(args[0]))
    elif command == "wait-exited":
        deadline = time.monotonic() + float(args[1])
        status = container_status(args[0])
        while status.state != cri.CONTAINER_EXITED and time.monotonic() < deadline:
            time.sleep(0.1)
            status = container_status(args[0])
        out = as_dict(status)
    elif command == "exec-sync":
        reply = runtime("ExecSync", container_id=args[0], timeout=int(args[1]), cmd=args[2:])
        out = {
            "exit_code": reply.exit_code,
            "stdout": reply.stdout.decode(errors="replace"),
            "stderr": reply.stderr.decode(errors="replace"),
        }
    elif command == "image-status":
        reply = call("ImageService", "ImageStatus", cri.ImageStatusRequest(image=cri.ImageSpec(image=args[0])))
        out = {"id": reply.image.id, "repo_tags": list(reply.image.repo_tags)} if reply.HasField("image") else {}
    elif command == "list-pods":
        pods = runtime("ListPodSandbox").items
        out = [{"id": p.id, "state": cri.PodSandboxState.Name(p.state)} for p in pods]
    else:
        print(f"cri_client.py: unknown command {command}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except grpc.RpcError as e:
        print(f"{e.code().name}: {e.details()}", file=sys.stderr)
        sys.exit(1)
