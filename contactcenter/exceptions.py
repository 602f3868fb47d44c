class ApplicationError(Exception):
    """A domain rule said no. The API answers it as {"detail": message, "code": code}."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
