"""The calendar's routes under /api/v1/calendar/."""

from rest_framework.routers import SimpleRouter

from schedule.apis import CalendarEventViewSet

router = SimpleRouter()
router.register("calendar/events", CalendarEventViewSet, basename="calendar-event")

urlpatterns = router.urls
