"""WhiteNoise, able to run in the event loop.

WhiteNoise's middleware is sync only, so under daphne Django ran every request's middleware in
a thread and came back into the event loop for the middleware after it (async_to_sync): two
hand-overs per request for a dictionary look-up, and a thread that waits for the loop. After a
SIGTERM the loop is gone, those threads wait for ever, and the interpreter waits for them at
exit: daphne did not stop. Here the look-up runs in the loop, and so does the rest of the chain.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        super().__init__(get_response)
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.async_mode:
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request):
        """A static file is served at once (its response streams from a thread, as Django's
        ASGI handler does for every file); anything else goes on down the chain."""
        static_file = (
            self.find_file(request.path_info)
            if self.autorefresh
            else self.files.get(request.path_info)
        )
        if static_file is not None:
            return self.serve(static_file, request)
        return await self.get_response(request)
