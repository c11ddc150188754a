"""The business logic of two Flows behind one WhatsAppFlowEndpoint: appointment booking
(examples/flows/appointment-booking-dynamic.json) and cancellation (examples/flows/appointment-cancellation-dynamic.json).

WhatsAppFlowEndpoint decrypts Meta's requests and invokes this function with the plain request
{version, action, screen, data, flow_token}; what it returns is encrypted and sent back to Meta. It never sees
keys, ciphertext, signatures, health checks or error notifications. A request does not say which Flow it comes
from: the flow token does. The sender chooses it when it sends the Flow, so this app sends the booking Flow with
tokens "booking-<id>" and the cancellation Flow with "cancel-<id>", and routes on the prefix.

Booking:
- INIT: the first screen, with the departments and the dates that can be booked.
- data_exchange "date_selected": the free slots of that department on that day.
- data_exchange "book": the slot is checked again (it may have gone meanwhile) and the confirmation screen shown.

Cancellation:
- INIT: the customer's upcoming appointments.
- data_exchange "cancel": the appointment is cancelled and the Flow's last screen shown.

A flow token of neither kind: {"error": "invalid_flow_token", "error_msg": ...} (Meta answers HTTP 427).

The calendar here is a stand-in: slots are taken or free by a fixed rule, so the example runs without a database.
"""
import datetime
import hashlib

DEPARTMENTS = [
    {"id": "hair", "title": "Hair"},
    {"id": "nails", "title": "Nails"},
    {"id": "massage", "title": "Massage"},
]
OPENING = datetime.time(9, 0)
CLOSING = datetime.time(17, 0)
SLOT_MINUTES = 30
BOOKABLE_DAYS = 14
BOOKING_TOKEN_PREFIX = "booking-"
CANCEL_TOKEN_PREFIX = "cancel-"


def is_taken(department: str, day: datetime.date, start: datetime.time) -> bool:
    """The stand-in calendar: about one slot in three is taken, the same ones on every call."""
    digest = hashlib.sha256(f"{department}|{day.isoformat()}|{start.isoformat()}".encode()).digest()
    return digest[0] % 3 == 0


def free_slots(department: str, day: datetime.date) -> list:
    slots = []
    moment = datetime.datetime.combine(day, OPENING)
    while moment.time() < CLOSING:
        start = moment.time()
        slots.append({"id": start.strftime("%H:%M"), "title": start.strftime("%H:%M"), "enabled": not is_taken(department, day, start)})
        moment += datetime.timedelta(minutes=SLOT_MINUTES)
    return slots


def appointment_screen(department=None, day=None, error_message=None) -> dict:
    today = datetime.date.today()
    slots = free_slots(department, day) if department and day else []
    data = {
        "departments": DEPARTMENTS,
        "min_date": today.isoformat(),
        "max_date": (today + datetime.timedelta(days=BOOKABLE_DAYS)).isoformat(),
        "slots": slots,
        "is_slot_enabled": any(slot["enabled"] for slot in slots),
    }
    if error_message:
        data["error_message"] = error_message
    return {"screen": "APPOINTMENT", "data": data}


def parse_day(value):
    """The DatePicker sends YYYY-MM-DD; older Flow JSON versions sent milliseconds since the epoch."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        return datetime.datetime.fromtimestamp(int(value) / 1000, datetime.timezone.utc).date()
    return datetime.date.fromisoformat(value)


def handler(event, context):
    """One function, two Flows: the flow token's prefix says which Flow the request belongs to."""
    token = str(event.get("flow_token", ""))
    if token.startswith(BOOKING_TOKEN_PREFIX):
        return booking(event)
    if token.startswith(CANCEL_TOKEN_PREFIX):
        return cancellation(event, token)
    return {"error": "invalid_flow_token", "error_msg": "This link is no longer valid. Ask us for a new one."}


def booking(event):
    action = event.get("action")
    data = event.get("data") or {}
    if action in ("INIT", "BACK"):
        return appointment_screen()

    if action == "data_exchange":
        department = data.get("department")
        day = parse_day(data["date"]) if data.get("date") else None
        if data.get("trigger") == "date_selected":
            return appointment_screen(department, day)
        if data.get("trigger") == "book":
            time = data.get("time")
            free = {slot["id"] for slot in free_slots(department, day) if slot["enabled"]} if department and day else set()
            if time not in free:
                return appointment_screen(department, day, "That slot was just taken. Please pick another one.")
            title = next(d["title"] for d in DEPARTMENTS if d["id"] == department)
            return {
                "screen": "CONFIRM",
                "data": {
                    "summary": f"{title}, {day.strftime('%A %d %B %Y')} at {time}",
                    "department": department,
                    "date": day.isoformat(),
                    "time": time,
                },
            }

    # Anything else is a bug in the Flow JSON: the endpoint answers Meta and logs the error type.
    raise ValueError(f"unexpected action {action!r} / trigger {data.get('trigger')!r}")


def upcoming_appointments(token: str) -> list:
    """The stand-in calendar's appointments of the customer the token was sent to: two, in the coming days."""
    digest = hashlib.sha256(token.encode()).digest()
    today = datetime.date.today()
    appointments = []
    for i in range(2):
        department = DEPARTMENTS[digest[i] % len(DEPARTMENTS)]
        day = today + datetime.timedelta(days=1 + digest[2 + i] % BOOKABLE_DAYS)
        start = datetime.time(OPENING.hour + digest[4 + i] % (CLOSING.hour - OPENING.hour), 0)
        appointments.append({
            "id": f"{department['id']}-{day.isoformat()}-{start.strftime('%H:%M')}",
            "title": f"{department['title']}, {day.strftime('%a %d %b')} {start.strftime('%H:%M')}",
            "summary": f"{department['title']}, {day.strftime('%A %d %B %Y')} at {start.strftime('%H:%M')}",
        })
    return appointments


def cancellation(event, token: str):
    action = event.get("action")
    data = event.get("data") or {}
    appointments = upcoming_appointments(token)
    if action in ("INIT", "BACK"):
        return {"screen": "CANCEL", "data": {"appointments": [{"id": a["id"], "title": a["title"]} for a in appointments]}}

    if action == "data_exchange" and data.get("trigger") == "cancel":
        chosen = next((a for a in appointments if a["id"] == data.get("appointment")), None)
        if chosen is None:
            return {
                "screen": "CANCEL",
                "data": {
                    "appointments": [{"id": a["id"], "title": a["title"]} for a in appointments],
                    "error_message": "That appointment is not one of yours any more. Please pick another one.",
                },
            }
        return {"screen": "CANCELLED", "data": {"summary": chosen["summary"], "appointment": chosen["id"]}}

    raise ValueError(f"unexpected action {action!r} / trigger {data.get('trigger')!r}")
