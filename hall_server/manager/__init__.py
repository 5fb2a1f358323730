"""The managers' pages: the live dashboard (/manager/), the city view of all halls (/city/),
reports and administration. They talk to the API like any client and listen to the hall's
live events through the shared HallLive client."""
