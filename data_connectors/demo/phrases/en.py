"""English phrase banks of the demo helpdesk.

The customers of the UK, Germany, Poland, the Netherlands and the Baltics write these ticket
subjects, messages and survey comments; the keys and placeholders are described in
:mod:`data_connectors.demo.phrases`.
"""

from __future__ import annotations

#: First and last names for synthetic e-mail addresses in comments.
EMAIL_NAMES: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("john", "emma", "oliver", "sophie", "lukas", "anna", "piotr", "kasia", "daan", "mia"),
    ("smith", "brown", "mueller", "nowak", "jansen", "taylor", "schmidt", "kowalski"),
)

#: Ticket subject templates per theme key.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "double_charge": (
        "Charged twice for order {order}",
        "Double payment on my card",
        "Duplicate charge of €{eur}",
    ),
    "refund": ("Refund for order {order}", "Where is my refund?", "Refund request – {product}"),
    "invoice": (
        "Invoice for order {order}",
        "Need a VAT invoice",
        "Wrong company details on the invoice",
    ),
    "subscription": ("Change my plan", "Cancel auto-renewal", "Question about my subscription"),
    "payment_failed": ("Payment declined", "Cannot pay for order {order}", "Card payment error"),
    "delivery_delay": ("Order {order} is late", "Delivery delayed again", "Where is my order?"),
    "tracking": (
        "Tracking number for order {order}",
        "Delivery status",
        "When will order {order} arrive?",
    ),
    "damaged_item": ("Damaged item in order {order}", "{product} arrived broken", "Parcel damaged"),
    "address_change": (
        "Change delivery address",
        "New address for order {order}",
        "Reschedule delivery",
    ),
    "missed_courier": ("Courier did not show up", "Missed delivery slot", "Courier did not call"),
    "device_setup": (
        "Help setting up {product}",
        "{product} setup question",
        "How do I connect {product}?",
    ),
    "connectivity": (
        "{product} keeps disconnecting",
        "Connection drops",
        "No internet through {product}",
    ),
    "outage": ("Service is down", "Nothing works since this morning", "Outage?"),
    "account_access": (
        "Cannot log in to my account",
        "Password reset not working",
        "Account locked",
    ),
    "upgrade": ("Upgrade to a bigger plan", "Adding more devices", "Interested in {product}"),
    "pricing": ("Question about prices", "Price of {product}", "Why did the price go up?"),
    "promo_code": (
        "Promo code not working",
        "Discount not applied",
        "Promo code for order {order}",
    ),
    "app_crash": (
        "App crashes on start",
        "App keeps crashing after the update",
        "Crash in version {version}",
    ),
    "app_login": ("Cannot sign in to the app", "The app logs me out", "Login problem in the app"),
    "app_feature": ("Feature request", "Suggestion for the app", "Dark mode?"),
    "notifications": ("Too many notifications", "No push notifications", "Notification settings"),
}

#: Body templates of the first customer message per theme key.
TEXTS: dict[str, tuple[str, ...]] = {
    "double_charge": (
        (
            "I was charged twice for order {order}: two payments of €{eur} went through on the "
            "same day. Please refund the duplicate charge."
        ),
        (
            "My card ending {card} shows a double charge of €{eur} for my subscription this "
            "month. I only authorised one payment."
        ),
        (
            "Your system took the payment for {product} twice. I need the second charge "
            "reversed as soon as possible."
        ),
    ),
    "refund": (
        ("I returned {product} {days} days ago and still have not received the refund of €{eur}."),
        (
            "Please refund order {order}. The item was returned and the courier confirmed "
            "the pickup."
        ),
        "How long does a refund take? I cancelled order {order} and the money is not back yet.",
    ),
    "invoice": (
        "Could you send me an invoice for order {order}? I need it for our accounting.",
        "The invoice for {product} has the wrong company name. Please reissue it.",
        "Where can I download the monthly invoices for our account?",
    ),
    "subscription": (
        (
            "I want to switch from the monthly plan to the annual one. What happens to the "
            "remaining days?"
        ),
        "Please turn off auto-renewal for my subscription, I will renew manually.",
        "My subscription renews in {days} days. Can I pause it instead of cancelling?",
    ),
    "payment_failed": (
        (
            "My card payment for order {order} keeps failing with an error, but the bank says "
            "everything is fine."
        ),
        "I tried to pay €{eur} three times and the page just says 'payment declined'.",
        "The checkout page freezes after I enter the card code. Order {order} is still unpaid.",
    ),
    "delivery_delay": (
        (
            "My order {order} was due {days} days ago and it still has not arrived. The "
            "tracking has not updated since."
        ),
        (
            "The delivery of {product} is late again. I was promised delivery by Friday and "
            "nothing came."
        ),
        (
            "Order {order} is delayed by {days} days. Nobody told me about the delay, I had to "
            "find out myself."
        ),
    ),
    "tracking": (
        "Could you tell me the tracking number for order {order}?",
        "What is the expected delivery date for {product}?",
        "The tracking page for order {order} shows 'in transit'. When should I expect it?",
    ),
    "damaged_item": (
        "{product} arrived with a cracked case and the box was crushed. I want a replacement.",
        "The parcel for order {order} was damaged and the item inside does not turn on.",
        "Received {product} today: the screen is scratched and parts are missing.",
    ),
    "address_change": (
        "Can I change the delivery address for order {order}? I will be at work that day.",
        "Please deliver order {order} to a pickup point instead of my home.",
        "I need to move the delivery of {product} to next week.",
    ),
    "missed_courier": (
        "I waited at home all day for order {order} and the courier never came or called.",
        (
            "The courier marked order {order} as 'customer not at home' but I was there the "
            "whole time."
        ),
        "This is the second time the courier missed the delivery window for {product}.",
    ),
    "device_setup": (
        "I cannot finish the setup of {product}: it stops at the pairing step.",
        "How do I connect {product} to my home Wi-Fi? The instructions are not clear.",
        "After a factory reset {product} asks for a code I never received.",
    ),
    "connectivity": (
        "{product} loses the connection several times a day and I have to restart it.",
        "Since yesterday {product} shows 'offline' even though the internet works.",
        "The connection through {product} is very slow in the evenings.",
    ),
    "outage": (
        "Your service has been down since this morning. None of my devices can connect.",
        "Is there an outage? {product} and the website both stopped working.",
        "Complete outage again. This is the second time this month and I rely on it for work.",
    ),
    "account_access": (
        "I cannot log in to my account: the password reset e-mail never arrives.",
        "My account was locked after three attempts. Please unlock it.",
        "The verification code does not come, so I cannot access my account.",
    ),
    "upgrade": (
        (
            "We would like to upgrade to the business plan and add {days} more users. What "
            "would it cost?"
        ),
        "Can I add {product} to my current subscription?",
        "I'm interested in {product}. Is there a discount for existing customers?",
    ),
    "pricing": (
        "Why did my monthly price go up to €{eur}? I was not notified.",
        "What is the difference between the standard and the premium plan?",
        "Is the price of {product} going to change next month?",
    ),
    "promo_code": (
        "The promo code from your newsletter does not work at checkout.",
        "The discount was not applied to order {order}, I paid the full €{eur}.",
        "Your ad promised {days}% off {product}, but the code is rejected.",
    ),
    "app_crash": (
        "Since the update to version {version} the app crashes as soon as I open it.",
        "The app closes itself when I open my orders. I reinstalled it, same problem.",
        "Version {version} crashes on my phone every time I try to pay.",
    ),
    "app_login": (
        "The app logs me out every time I close it and the SMS code arrives late.",
        "I can sign in on the website but not in the app: it says 'unknown error'.",
        "Face ID login stopped working in the app after version {version}.",
    ),
    "app_feature": (
        "It would be great if the app showed the courier on a map.",
        "Please add the option to download invoices directly in the app.",
        "Could you add a dark mode and a widget with the order status?",
    ),
    "notifications": (
        "I get the same push notification five times a day. How do I turn it off?",
        "I stopped receiving notifications about my orders after the last update.",
        "Notifications about order {order} arrive a day late.",
    ),
}

#: Openings, closings and complaint sentences around a message body (spaces included).
GREETINGS: tuple[str, ...] = ("Hello! ", "Hi. ", "Good afternoon. ", "Hi team! ", "")
SIGN_OFFS: tuple[str, ...] = (" Thanks.", " Thank you.", " Regards.", " Please help.", "")
COMPLAINT_TAILS: tuple[str, ...] = (
    " This is unacceptable.",
    " I am very disappointed with your service.",
    " I want this fixed today.",
    " If this is not solved I will cancel my subscription.",
    " I have already written to you about this before.",
)

#: Survey comment templates per kind: one kind per low-score reason, then general kinds.
COMMENTS: dict[str, tuple[str, ...]] = {
    "long wait": (
        "I waited {minutes} minutes to get through to an operator.",
        "Far too long on hold, {minutes} minutes.",
        "The answer to my e-mail took almost two days.",
    ),
    "issue not resolved": (
        "My problem is still not solved.",
        "They closed the ticket but nothing was fixed.",
        "I had to contact you again because the issue came back.",
    ),
    "low expertise": (
        "The operator did not know the product and read from a script.",
        "Nobody could explain how {product} works.",
        "I knew more about the issue than the agent.",
    ),
    "rude or unhelpful": (
        "The agent was rude and interrupted me.",
        "Unfriendly tone, I felt like a nuisance.",
        "The answer was a copy-paste that did not help at all.",
    ),
    "had to repeat myself": (
        "I had to explain my problem three times to different people.",
        "Every new agent asked me the same questions again.",
        "Why do I have to repeat my order number every time?",
    ),
    "too many transfers": (
        "I was transferred from one department to another.",
        "Four transfers before someone could help.",
        "I kept being passed between support and billing.",
    ),
    "negative": (
        "Prices keep going up while the service gets worse.",
        "{product} breaks too often.",
        "Not worth the money any more.",
    ),
    "positive": (
        "Quick and friendly help, thank you!",
        "The agent solved everything in one call.",
        "Great service, very clear explanation.",
        "Problem solved in {minutes} minutes, impressive.",
        "Very happy with {product} and your support.",
    ),
    "neutral": ("It was OK.", "Fine, nothing special.", "Solved, but it took a while."),
    "suggestion": (
        "It would be great if I could see my place in the queue while waiting.",
        "Please add a chat in the app so I don't have to call.",
        "It would be great if you sent SMS updates about my ticket.",
        "Please add support hours at the weekend.",
        "A callback option would be better than waiting on the line.",
    ),
}

#: Sentences with contact details some customers leave in a comment (for the masking feature).
CONTACT_TAILS: tuple[str, ...] = (
    " Call me back at {phone}.",
    " My email is {email}, please write to me.",
    " You can reach me on {phone}.",
)
