"""Chinese messages for the domain errors of the enrollment service."""

from eventplatform.web import UserMessage

from enrollment_service.domain import errors

USER_MESSAGES = {
    errors.InvalidCalendar: UserMessage(
        422, "年度日历设置有误：开始日期不能晚于结束日期，报名缴费时间须在学习时间之内，费用须大于零。请检查后重新提交。"),
    errors.CalendarNotFound: UserMessage(404, "该年度尚未设置培训日历，请先设置。"),
    errors.EnrollmentClosed: UserMessage(
        403, "该年度当前不在报名缴费时间内，无法报名。报名及往年补学时间请查看平台公告。"),
    errors.LearnerNotFound: UserMessage(
        404, "未找到您的学员注册信息，请稍后重试；如仍无法报名，请联系属地工考部门。"),
    errors.LearnerInactive: UserMessage(
        403, "您的学员信息已标记为离岗，无法报名。如有疑问，请联系属地工考部门。"),
    errors.InvalidInvoiceTitle: UserMessage(
        422, "发票抬头不能为空，且不超过100个字，请填写工作单位全称。", "invalid_invoice_title"),
    errors.InvalidCreditCode: UserMessage(
        422, "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z），请核对后重新填写。",
        "invalid_credit_code"),
    errors.InvalidEmail: UserMessage(
        422, "电子邮箱格式不正确，请填写有效的邮箱地址，用于接收电子发票。", "invalid_email"),
    errors.YearAlreadyPaid: UserMessage(
        409, "该年度班级已缴费开通，无需重复报名，请到“我的班级”进入学习。"),
    errors.OrderNotFound: UserMessage(404, "未找到该订单，请到订单列表中查看。"),
    errors.OrderNotPending: UserMessage(409, "该订单已支付、已取消或已过期，不能取消。"),
    errors.ClassNotFound: UserMessage(404, "未找到该班级，请到“我的班级”中查看。"),
    errors.ClassNotOpen: UserMessage(409, "班级尚未开通，请先完成缴费，开通班级后再选课。"),
    errors.LearningWindowClosed: UserMessage(
        403, "当前不在该班级的学习时间内，无法选课。学习时间请查看班级首页。"),
    errors.CourseNotAvailable: UserMessage(404, "该课程不存在或已下架，请选择其他课程。"),
    errors.CourseAlreadySelected: UserMessage(409, "该课程已在您的选课清单中，请勿重复选择。"),
    errors.CourseNotSelected: UserMessage(404, "该课程不在您的选课清单中，请刷新页面后重试。"),
    errors.CourseConfirmed: UserMessage(409, "该课程已确认选课，确认后的课程不能退选。"),
    errors.EmptySelection: UserMessage(409, "还没有新选的课程，请先添加课程再点击确认。"),
}
