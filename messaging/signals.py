"""What the messaging app tells the rest of the product (it imports no domain app; domain apps receive these).

- `message_status_changed(message)`: a message's status changed (sent, delivered, failed, withheld).
- `reply_received(inbound)`: a tenant replied (after any opt-out is recorded).
- `address_suppressed(suppression)`: an address must not be messaged any more (STOP, or found wrong).
"""

from django.dispatch import Signal

message_status_changed = Signal()
reply_received = Signal()
address_suppressed = Signal()
