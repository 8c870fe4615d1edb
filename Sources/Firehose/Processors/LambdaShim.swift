/// The programs that run a Lambda handler file unchanged, passed to the interpreter
/// with `-e` / `-c` (nothing is written to disk). Arguments: the file, the handler's
/// name, the function name and the region. Each loads the file, writes `ready` (or
/// `error {errorType, errorMessage}` and exits), then answers every request line on
/// stdin (`{"requestId","deadlineMillis","event"}`) with one line on fd 3:
/// `result <the handler's answer as JSON>` or `error {errorType, errorMessage}`.
/// The handler's own stdout and stderr are not the answer channel, so its logs
/// cannot corrupt an answer.
enum LambdaShim {
    static func arguments(for handler: LambdaHandler, region: String) -> [String] {
        let rest = [handler.file, handler.handlerName, handler.functionName, region]
        switch handler.runtime {
        case .node: return [handler.interpreter, "-e", node, "--"] + rest
        // -B: no __pycache__ beside the user's file.
        case .python: return [handler.interpreter, "-B", "-c", python] + rest
        }
    }

    static let node = #"""
        'use strict';
        const fs = require('fs');
        const readline = require('readline');
        const { pathToFileURL } = require('url');
        const [file, handlerName, functionName, region] = process.argv.slice(1);

        function send(line) {
          const bytes = Buffer.from(line + '\n');
          for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(3, bytes, offset);
        }
        function errorLine(errorType, errorMessage) {
          return 'error ' + JSON.stringify({ errorType, errorMessage });
        }
        function describe(error) {
          if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
          if (typeof error === 'string') return { errorType: 'string', errorMessage: error };
          let text;
          try { text = JSON.stringify(error); } catch (_) {}
          return { errorType: typeof error, errorMessage: text ?? String(error) };
        }
        // Where in the user's file a load failed: a SyntaxError's stack starts with file:line.
        function loadFailure(error) {
          const stack = String((error && error.stack) || '').split('\n');
          const at = stack.find((line) => line.includes(file));
          const place = at ? ' at ' + at.trim().replace(/^at .*\((.*)\)$/, '$1').replace(/^at /, '') : '';
          const { errorType, errorMessage } = describe(error);
          return `${errorType}: ${errorMessage}${place}`;
        }

        // The invocation in progress, so an error thrown outside its promise still ends it.
        let finishCurrent = null;
        function uncaught(error) {
          if (finishCurrent) finishCurrent(false, error);
          else process.stderr.write(`uncaught between invocations: ${(error && error.stack) || error}\n`);
        }
        process.on('uncaughtException', uncaught);
        process.on('unhandledRejection', uncaught);

        // async (event, context) handlers answer with their promise, callback-style
        // (event, context, callback) ones through the callback (or context.succeed/fail/done).
        function invoke(handler, event, context) {
          return new Promise((resolve) => {
            let done = false;
            const finish = (ok, value) => {
              if (done) return;
              done = true;
              finishCurrent = null;
              resolve({ ok, value });
            };
            finishCurrent = finish;
            const callback = (error, result) => (error === null || error === undefined ? finish(true, result) : finish(false, error));
            context.done = callback;
            context.succeed = (result) => finish(true, result);
            context.fail = (error) => finish(false, error);
            let returned;
            try {
              returned = handler(event, context, callback);
            } catch (error) {
              finish(false, error);
              return;
            }
            if (returned && typeof returned.then === 'function') returned.then((result) => finish(true, result), (error) => finish(false, error));
            else if (handler.length < 3) finish(true, returned);
          });
        }

        (async () => {
          let handler;
          try {
            const loaded = await import(pathToFileURL(file).href);
            const exports = loaded.default !== null && typeof loaded.default === 'object' ? loaded.default : {};
            handler = typeof loaded[handlerName] === 'function' ? loaded[handlerName] : exports[handlerName];
            if (typeof handler !== 'function') {
              const functions = [...new Set([...Object.keys(loaded), ...Object.keys(exports)])]
                .filter((name) => typeof (loaded[name] ?? exports[name]) === 'function' && name !== 'default');
              const choice = functions.length ? `its functions: ${functions.join(', ')}; name one as FILE:HANDLER` : 'it exports no function';
              send(errorLine('Runtime.HandlerNotFound', `${file} exports no function named ${handlerName} (${choice})`));
              process.exit(1);
            }
          } catch (error) {
            send(errorLine('Runtime.ImportModuleError', loadFailure(error)));
            process.exit(1);
          }
          send('ready');
          for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
            const request = JSON.parse(line);
            const context = {
              functionName,
              functionVersion: '$LATEST',
              invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
              memoryLimitInMB: '128',
              awsRequestId: request.requestId,
              logGroupName: `/aws/lambda/${functionName}`,
              logStreamName: `alleycat/${process.pid}`,
              callbackWaitsForEmptyEventLoop: true,
              getRemainingTimeInMillis: () => Math.max(0, request.deadlineMillis - Date.now()),
            };
            const { ok, value } = await invoke(handler, request.event, context);
            if (!ok) {
              const { errorType, errorMessage } = describe(value);
              send(errorLine(errorType, errorMessage));
              continue;
            }
            let text;
            try {
              text = JSON.stringify(value) ?? 'null';
            } catch (error) {
              send(errorLine('Runtime.ResultSerializationError', `the handler's answer is not JSON: ${describe(error).errorMessage}`));
              continue;
            }
            send('result ' + text);
          }
          process.exit(0);
        })();
        """#

    static let python = #"""
        import importlib.util, json, os, sys, time

        path, handler_name, function_name, region = sys.argv[1:5]
        sys.stdout.reconfigure(line_buffering=True)

        def send(line):
            data = memoryview((line + "\n").encode())
            while data:
                data = data[os.write(3, data):]

        def error_line(error_type, message):
            return "error " + json.dumps({"errorType": error_type, "errorMessage": message})

        def load_failure(error):
            if isinstance(error, SyntaxError):
                return f"SyntaxError: {error.msg} at {error.filename}:{error.lineno}"
            frames = []
            trace = error.__traceback__
            while trace is not None:
                if trace.tb_frame.f_code.co_filename == path:
                    frames.append(trace.tb_lineno)
                trace = trace.tb_next
            place = f" at {path}:{frames[-1]}" if frames else ""
            return f"{type(error).__name__}: {error}{place}"

        class Context:
            function_version = "$LATEST"
            memory_limit_in_mb = "128"
            identity = None
            client_context = None

            def __init__(self, request):
                self.function_name = function_name
                self.invoked_function_arn = f"arn:aws:lambda:{region}:000000000000:function:{function_name}"
                self.aws_request_id = request["requestId"]
                self.log_group_name = "/aws/lambda/" + function_name
                self.log_stream_name = f"alleycat/{os.getpid()}"
                self._deadline = request["deadlineMillis"]

            def get_remaining_time_in_millis(self):
                return max(0, self._deadline - int(time.time() * 1000))

        try:
            sys.path.insert(0, os.path.dirname(path))
            module_name = os.path.splitext(os.path.basename(path))[0]
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except BaseException as error:
            send(error_line("Runtime.ImportModuleError", load_failure(error)))
            sys.exit(1)
        handler = getattr(module, handler_name, None)
        if not callable(handler):
            functions = sorted(name for name, value in vars(module).items()
                               if callable(value) and not name.startswith("_") and getattr(value, "__module__", None) == module_name)
            choice = f"its functions: {', '.join(functions)}; name one as FILE:HANDLER" if functions else "it defines no function"
            send(error_line("Runtime.HandlerNotFound", f"{path} has no function named {handler_name} ({choice})"))
            sys.exit(1)
        send("ready")
        for line in sys.stdin.buffer:
            request = json.loads(line)
            try:
                result = handler(request["event"], Context(request))
            except Exception as error:
                send(error_line(type(error).__name__, str(error)))
                continue
            try:
                text = json.dumps(result)
            except Exception as error:
                send(error_line("Runtime.ResultSerializationError", f"the handler's answer is not JSON: {error}"))
                continue
            send("result " + text)
        # Without waiting for threads the handler may have left running.
        os._exit(0)
        """#
}
